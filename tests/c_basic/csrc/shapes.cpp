// C++ through `cc::Build::cpp(true)`: classes, virtual calls, templates and header-only
// library parts; no exceptions and no libc++.a (see docs/c-dependencies.md).
#include <array>

namespace {

struct Shape {
    virtual ~Shape() = default;
    virtual int area() const { return 0; }
};

struct Rect : Shape {
    int w, h;
    Rect(int w, int h) : w(w), h(h) {}
    int area() const override { return w * h; }
};

struct Square : Rect {
    explicit Square(int s) : Rect(s, s) {}
};

template <typename T, std::size_t N>
constexpr T sum(const std::array<T, N> &values) {
    T total{};
    for (const T &v : values) total += v;
    return total;
}

}  // namespace

extern "C" int cpp_area_sum(void) {
    Rect r(3, 4);
    Square s(5);
    const Shape *shapes[] = {&r, &s};
    std::array<int, 2> areas{};
    for (std::size_t i = 0; i < areas.size(); i++) {
        areas[i] = shapes[i]->area();
    }
    static_assert(sum(std::array<int, 3>{1, 2, 3}) == 6, "constexpr templates");
    return sum(areas);
}
