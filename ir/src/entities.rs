//! Entity handles: `u32` newtypes that index a function's tables.
//!
//! Their `Display` is their text form (`v7`, `block3`), so printed IR names every entity the same
//! way the reader and the verifier's messages do.

use std::fmt;

macro_rules! entity {
    ($(#[$doc:meta])* $name:ident, $prefix:literal) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
        pub struct $name(pub u32);

        impl $name {
            /// The handle's index into its table.
            pub fn index(self) -> usize {
                self.0 as usize
            }

            /// Parses the text form, such as `v7`.
            pub fn parse(s: &str) -> Option<Self> {
                s.strip_prefix($prefix)?.parse().ok().map($name)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!($prefix, "{}"), self.0)
            }
        }
    };
}

entity!(
    /// An SSA value: the result of the instruction of the same index.
    Value,
    "v"
);
entity!(
    /// A basic block of a function.
    Block,
    "block"
);
