/* C++ on libstdc++: exceptions caught after unwinding through frames with destructors (the
 * landing pads are entered only by the unwinder), rethrow, nested exceptions, exceptions from
 * constructors, virtual methods and std::function, exception_ptr carried between threads,
 * bad_alloc and bad_cast from the library, RTTI, iostream formatting, containers, and threads
 * with mutexes, condition variables, thread_local objects with destructors and a static local
 * initialised by racing threads. */
#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <exception>
#include <functional>
#include <iomanip>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <new>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <typeinfo>
#include <unordered_map>
#include <vector>

static int destroyed = 0;

struct Guard {
    int id;
    explicit Guard(int i) : id(i) {}
    ~Guard() { destroyed += id; }
};

struct CodedError : std::runtime_error {
    int code;
    CodedError(const std::string &message, int c) : std::runtime_error(message), code(c) {}
};

__attribute__((noinline)) int descend(int depth, int kind) {
    Guard guard(depth);
    if (depth == 0) {
        switch (kind) {
        case 0: throw CodedError("deep", 42);
        case 1: throw std::out_of_range("range");
        case 2: throw 7;
        case 3: throw std::string("a string");
        default: return 1;
        }
    }
    return descend(depth - 1, kind) + 1;
}

struct Shape {
    virtual ~Shape() {}
    virtual double area() const = 0;
    virtual const char *name() const = 0;
    virtual void check() const {}
};
struct Circle : Shape {
    double r;
    explicit Circle(double radius) : r(radius) {}
    double area() const override { return 3.14159265358979 * r * r; }
    const char *name() const override { return "circle"; }
};
struct Rect : Shape {
    double w, h;
    Rect(double width, double height) : w(width), h(height) {}
    double area() const override { return w * h; }
    const char *name() const override { return "rect"; }
    void check() const override {
        if (w == h) throw std::domain_error("square rect " + std::to_string((int)w));
    }
};

struct Picky {
    std::vector<int> data;
    explicit Picky(int x) : data(4, x) {
        if (x > 2) throw std::invalid_argument("picky " + std::to_string(x));
    }
};

/* Counts thread_local destructor runs (__cxa_thread_atexit). */
static std::atomic<int> tls_destroyed{0};
struct TlsTracker {
    int uses = 0;
    ~TlsTracker() { tls_destroyed += uses; }
};
thread_local TlsTracker tls_tracker;

static std::atomic<int> init_runs{0};
static int shared_static() {
    static int value = [] {
        init_runs++;
        return 17;
    }();
    return value;
}

static void exceptions() {
    for (int kind = 0; kind < 5; kind++) {
        destroyed = 0;
        try {
            int r = descend(5, kind);
            std::cout << "no throw r=" << r << "\n";
        } catch (const CodedError &e) {
            std::cout << "CodedError " << e.what() << " code=" << e.code << "\n";
        } catch (const std::exception &e) {
            std::cout << "std::exception " << typeid(e).name() << " " << e.what() << "\n";
        } catch (int v) {
            std::cout << "int " << v << "\n";
        } catch (...) {
            std::cout << "something else\n";
        }
        std::cout << "destroyed=" << destroyed << "\n";
    }
    try {
        try {
            throw std::logic_error("inner");
        } catch (std::exception &) {
            std::cout << "caught inner, rethrowing\n";
            throw;
        }
    } catch (const std::logic_error &e) {
        std::cout << "outer caught " << e.what() << "\n";
    }
    try {
        try {
            throw CodedError("cause", 3);
        } catch (...) {
            std::throw_with_nested(std::runtime_error("wrapper"));
        }
    } catch (const std::exception &e) {
        std::cout << "nested: " << e.what();
        try {
            std::rethrow_if_nested(e);
        } catch (const CodedError &inner) {
            std::cout << " <- " << inner.what() << " " << inner.code;
        }
        std::cout << "\n";
    }
    int built = 0;
    for (int i = 0; i < 5; i++) {
        try {
            Picky p(i);
            built += p.data[3];
        } catch (const std::invalid_argument &e) {
            std::cout << e.what() << "\n";
        }
    }
    std::cout << "built " << built << "\n";
    /* Many throws, each unwinding a few frames: the landing pads run again and again. */
    long caught = 0;
    for (int i = 0; i < 3000; i++) {
        try {
            caught += descend(i % 7, i % 3 == 0 ? 4 : i % 3);
        } catch (int v) {
            caught += v;
        } catch (const std::out_of_range &) {
            caught += 100;
        }
    }
    std::cout << "caught sum " << caught << "\n";
    /* A deep unwind. */
    destroyed = 0;
    try {
        descend(400, 0);
    } catch (const CodedError &e) {
        std::cout << "deep unwind destroyed=" << destroyed << " code=" << e.code << "\n";
    }
    std::function<int(int)> risky = [](int x) -> int {
        if (x % 5 == 4) throw std::overflow_error("risky " + std::to_string(x));
        return x * x;
    };
    int squares = 0;
    for (int i = 0; i < 10; i++) {
        try {
            squares += risky(i);
        } catch (const std::overflow_error &e) {
            std::cout << e.what() << "\n";
        }
    }
    std::cout << "squares " << squares << "\n";
    try {
        std::vector<int> v(3);
        v.at(10) = 1;
    } catch (const std::out_of_range &) {
        std::cout << "vector::at threw\n";
    }
    try {
        (void)std::stoi("zz");
    } catch (const std::invalid_argument &e) {
        std::cout << "stoi threw " << e.what() << "\n";
    }
    try {
        std::size_t huge = std::size_t(1) << 62;
        char *p = new char[huge];
        std::cout << "allocated " << (void *)p << "\n";
    } catch (const std::bad_alloc &e) {
        std::cout << "bad_alloc: " << e.what() << "\n";
    }
}

static void shapes_and_rtti() {
    std::vector<std::unique_ptr<Shape>> shapes;
    for (int i = 1; i <= 6; i++) {
        if (i % 2)
            shapes.emplace_back(new Circle(i));
        else
            shapes.emplace_back(new Rect(i, i % 4 == 0 ? i : i + 1));
    }
    double total = 0;
    int circles = 0;
    for (auto &s : shapes) {
        total += s->area();
        if (dynamic_cast<Circle *>(s.get())) circles++;
        try {
            s->check();
        } catch (const std::domain_error &e) {
            std::cout << "check: " << e.what() << "\n";
        }
        try {
            Circle &c = dynamic_cast<Circle &>(*s);
            (void)c;
        } catch (const std::bad_cast &e) {
            std::cout << "bad_cast for " << s->name() << "\n";
        }
    }
    std::cout << std::fixed << std::setprecision(4) << "total area " << total << " circles " << circles << "\n";
    std::sort(shapes.begin(), shapes.end(), [](auto &a, auto &b) { return a->area() > b->area(); });
    for (auto &s : shapes) std::cout << s->name() << ":" << std::setprecision(2) << s->area() << " ";
    std::cout << "\n" << typeid(*shapes[0]).name() << " " << typeid(Rect).name() << "\n";
}

static void containers_and_streams() {
    std::map<std::string, int> m;
    std::unordered_map<int, std::string> um;
    for (int i = 0; i < 1000; i++) {
        m["k" + std::to_string(i % 37)] += i;
        um[i * 7919 % 1009] = std::to_string(i);
    }
    long sum = 0;
    for (auto &kv : m) sum += kv.second * (long)kv.first.size();
    std::cout << "map " << m.size() << " " << sum << " unordered " << um.size() << " " << um[5] << "\n";
    std::ostringstream os;
    os << std::scientific << std::setprecision(6) << 1.4142135623730951 << " " << std::hex << 255 << " "
       << std::dec << std::setw(8) << std::setfill('*') << 42 << " " << std::defaultfloat << 1e-300 / 7;
    std::cout << os.str() << "\n";
    std::istringstream is("12 3.5 word 0x1f");
    int a = 0;
    double b = 0;
    std::string w;
    int h = 0;
    is >> a >> b >> w >> std::hex >> h;
    std::cout << "parsed " << a << " " << b << " " << w << " " << h << "\n";
}

static void threads() {
    std::exception_ptr from_thread;
    std::thread thrower([&] {
        try {
            descend(20, 0);
        } catch (...) {
            from_thread = std::current_exception();
        }
    });
    thrower.join();
    try {
        std::rethrow_exception(from_thread);
    } catch (const CodedError &e) {
        std::cout << "thread error " << e.what() << " " << e.code << "\n";
    }
    std::mutex mu;
    std::condition_variable cv;
    int turn = 0;
    long acc = 0;
    std::vector<std::thread> workers;
    for (int t = 0; t < 4; t++)
        workers.emplace_back([&, t] {
            for (int r = 0; r < 200; r++) {
                std::unique_lock<std::mutex> lock(mu);
                cv.wait(lock, [&] { return turn % 4 == t; });
                acc = acc * 31 + t + r;
                turn++;
                tls_tracker.uses++;
                cv.notify_all();
            }
            if (shared_static() != 17) std::cout << "bad static\n";
        });
    for (auto &w : workers) w.join();
    std::cout << "acc " << acc << " turn " << turn << " tls destroyed " << tls_destroyed.load() << " init runs "
              << init_runs.load() << "\n";
    std::atomic<long> counter{0};
    std::vector<std::thread> adders;
    for (int t = 0; t < 3; t++)
        adders.emplace_back([&] {
            for (int i = 0; i < 100000; i++) counter.fetch_add(i, std::memory_order_relaxed);
        });
    for (auto &a : adders) a.join();
    std::cout << "atomic " << counter.load() << "\n";
}

int main() {
    exceptions();
    shapes_and_rtti();
    containers_and_streams();
    threads();
    std::function<long(long)> fact = [&](long n) { return n <= 1 ? 1 : n * fact(n - 1); };
    std::cout << "fact(20) " << fact(20) << "\n";
    return 0;
}
