//! Value types of the IR: integers of fixed width, IEEE floats, and short vectors of either.
//!
//! Every value fits in 128 bits, which is what lets the interpreter keep each value as a `u128`
//! and what matches the widest AArch64 register (a Q register). A vector type is a lane type and
//! a lane count; its total width is 64 or 128 bits, as on Advanced SIMD.

use std::fmt;

/// The type of a lane of a vector, or the scalar type a vector is made of.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum LaneType {
    I8,
    I16,
    I32,
    I64,
    F32,
    F64,
}

impl LaneType {
    /// Width of one lane in bits.
    pub fn bits(self) -> u32 {
        match self {
            LaneType::I8 => 8,
            LaneType::I16 => 16,
            LaneType::I32 | LaneType::F32 => 32,
            LaneType::I64 | LaneType::F64 => 64,
        }
    }

    /// The scalar type with the same width and kind as this lane.
    pub fn scalar(self) -> Type {
        match self {
            LaneType::I8 => Type::I8,
            LaneType::I16 => Type::I16,
            LaneType::I32 => Type::I32,
            LaneType::I64 => Type::I64,
            LaneType::F32 => Type::F32,
            LaneType::F64 => Type::F64,
        }
    }

    /// True for floating-point lanes.
    pub fn is_float(self) -> bool {
        matches!(self, LaneType::F32 | LaneType::F64)
    }

    /// The integer lane of an integer width in bits, if there is one.
    pub fn int_of_bits(bits: u32) -> Option<LaneType> {
        Some(match bits {
            8 => LaneType::I8,
            16 => LaneType::I16,
            32 => LaneType::I32,
            64 => LaneType::I64,
            _ => return None,
        })
    }
}

/// The type of an IR value.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Type {
    I1,
    I8,
    I16,
    I32,
    I64,
    I128,
    F32,
    F64,
    /// A vector of `lanes` lanes; its total width is 64 or 128 bits.
    Vec(LaneType, u8),
}

impl Type {
    /// Total width in bits (1 for `i1`).
    pub fn bits(self) -> u32 {
        match self {
            Type::I1 => 1,
            Type::I8 => 8,
            Type::I16 => 16,
            Type::I32 | Type::F32 => 32,
            Type::I64 | Type::F64 => 64,
            Type::I128 => 128,
            Type::Vec(lane, n) => lane.bits() * n as u32,
        }
    }

    /// The integer scalar type of a width in bits, if there is one.
    pub fn int(bits: u32) -> Type {
        match bits {
            1 => Type::I1,
            8 => Type::I8,
            16 => Type::I16,
            32 => Type::I32,
            64 => Type::I64,
            128 => Type::I128,
            _ => panic!("no integer type of {bits} bits"),
        }
    }

    /// The float scalar type of a width in bits.
    pub fn float(bits: u32) -> Type {
        match bits {
            32 => Type::F32,
            64 => Type::F64,
            _ => panic!("no float type of {bits} bits"),
        }
    }

    /// A vector type; panics unless the lane count is 1 to 16 and the width at most 128 bits.
    pub fn vec(lane: LaneType, lanes: u32) -> Type {
        assert!(lanes >= 1 && lanes <= 16 && lane.bits() * lanes <= 128, "bad vector {lane:?}x{lanes}");
        Type::Vec(lane, lanes as u8)
    }

    /// True for scalar integers (`i1` included).
    pub fn is_int(self) -> bool {
        matches!(self, Type::I1 | Type::I8 | Type::I16 | Type::I32 | Type::I64 | Type::I128)
    }

    /// True for scalar floats.
    pub fn is_float(self) -> bool {
        matches!(self, Type::F32 | Type::F64)
    }

    /// True for vectors.
    pub fn is_vector(self) -> bool {
        matches!(self, Type::Vec(..))
    }

    /// True when lane-wise integer operations apply (integer scalars and integer vectors).
    pub fn is_int_like(self) -> bool {
        self.is_int() || matches!(self, Type::Vec(l, _) if !l.is_float())
    }

    /// True when lane-wise float operations apply (float scalars and float vectors).
    pub fn is_float_like(self) -> bool {
        self.is_float() || matches!(self, Type::Vec(l, _) if l.is_float())
    }

    /// Number of lanes: 1 for a scalar.
    pub fn lanes(self) -> u32 {
        match self {
            Type::Vec(_, n) => n as u32,
            _ => 1,
        }
    }

    /// The type of one lane: the type itself for a scalar.
    pub fn lane_type(self) -> Type {
        match self {
            Type::Vec(lane, _) => lane.scalar(),
            t => t,
        }
    }

    /// Width of one lane in bits.
    pub fn lane_bits(self) -> u32 {
        self.lane_type().bits()
    }

    /// The same shape with every lane replaced by the integer of the same width (the type of a
    /// comparison's result on vectors, and of a float's bits).
    pub fn as_int(self) -> Type {
        match self {
            Type::Vec(lane, n) => Type::Vec(LaneType::int_of_bits(lane.bits()).expect("lane width"), n),
            Type::F32 => Type::I32,
            Type::F64 => Type::I64,
            t => t,
        }
    }

    /// The same shape with lanes of another scalar type.
    pub fn with_lane(self, lane: Type) -> Type {
        match self {
            Type::Vec(_, n) => Type::vec(lane.as_lane().expect("lane type"), n as u32),
            _ => lane,
        }
    }

    /// This scalar as a vector lane type, if it can be one.
    pub fn as_lane(self) -> Option<LaneType> {
        Some(match self {
            Type::I8 => LaneType::I8,
            Type::I16 => LaneType::I16,
            Type::I32 => LaneType::I32,
            Type::I64 => LaneType::I64,
            Type::F32 => LaneType::F32,
            Type::F64 => LaneType::F64,
            _ => return None,
        })
    }

    /// Parses the text form written by `Display`.
    pub fn parse(s: &str) -> Option<Type> {
        Some(match s {
            "i1" => Type::I1,
            "i8" => Type::I8,
            "i16" => Type::I16,
            "i32" => Type::I32,
            "i64" => Type::I64,
            "i128" => Type::I128,
            "f32" => Type::F32,
            "f64" => Type::F64,
            _ => {
                let (lane, n) = s.split_once('x')?;
                let lane = Type::parse(lane)?.as_lane()?;
                let n: u32 = n.parse().ok()?;
                if n == 0 || n > 16 || lane.bits() * n > 128 {
                    return None;
                }
                Type::vec(lane, n)
            }
        })
    }
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Type::I1 => f.write_str("i1"),
            Type::I8 => f.write_str("i8"),
            Type::I16 => f.write_str("i16"),
            Type::I32 => f.write_str("i32"),
            Type::I64 => f.write_str("i64"),
            Type::I128 => f.write_str("i128"),
            Type::F32 => f.write_str("f32"),
            Type::F64 => f.write_str("f64"),
            Type::Vec(lane, n) => write!(f, "{}x{}", lane.scalar(), n),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_form_round_trips() {
        for t in [Type::I1, Type::I64, Type::I128, Type::F32, Type::vec(LaneType::I8, 16), Type::vec(LaneType::F64, 2)]
        {
            assert_eq!(Type::parse(&t.to_string()), Some(t));
        }
        assert_eq!(Type::parse("i8x32"), None);
        assert_eq!(Type::parse("i7"), None);
    }
}
