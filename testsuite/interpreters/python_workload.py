# A workload for CPython 3.11 (Debian's libpython3.11.a for arm64, linked statically by
# tests/interpreters.rs): the bytecode loop (_PyEval_EvalFrameDefault) dispatches by computed
# gotos from 163 places through one table of labels. Every line prints something checkable.
import collections, functools, hashlib, heapq, itertools, json, math, re, struct, textwrap


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


table = {str(i): i * 3 for i in range(100000)}
print(fib(22), sum(v for k, v in table.items() if k.endswith("7")))
words = sorted(str(i * 7919 % 10007) for i in range(50000))
print(words[:3], len(set(words)), f"{3.14159 ** 0.5:.10f}")
data = {"a": [1, 2.5, None, True], "b": {"c": "\u00e9\u2603"}}
print(json.dumps(data, sort_keys=True), json.loads(json.dumps(data)) == data)
print(re.findall(r"(\w+)@(\w+)\.com", "x@y.com z@w.com"), re.sub(r"\d+", lambda m: str(int(m.group()) * 2), "a1b22c333"))
print(collections.Counter("mississippi").most_common(3))
print(list(itertools.permutations("abc", 2))[:4], functools.reduce(lambda a, b: a * b, range(1, 20)))
print(math.gamma(5.5), math.log1p(1e-10), math.fsum([0.1] * 10), hashlib.sha256(b"vmtrans").hexdigest()[:16])
print(struct.pack("<idq", 7, 2.5, -3).hex())
heap = [5, 3, 8, 1]
heapq.heapify(heap)
print([heapq.heappop(heap) for _ in range(4)], textwrap.fill("lorem ipsum " * 5, 20).count("\n"))


class Point:
    def __init__(self, x):
        self.x = x

    def __repr__(self):
        return f"Point({self.x!r})"


print(sorted([Point(3), Point(1)], key=lambda p: p.x))
try:
    1 / 0
except ZeroDivisionError as error:
    print("caught", error)


def numbers():
    yield from range(3)


print(list(numbers()), [x**2 for x in range(10) if x % 3], {k: v for k, v in zip("ab", (1, 2))})
print(f"{1e100:.3e} {2**100} {-7 // 2} {-7 % 3} {float('nan')} {1.1 + 2.2}")
print("end of python_workload.py")
