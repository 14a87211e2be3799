// An uncaught C++ exception thrown from a namespaced template: terminate runs inside __cxa_throw,
// so the throwing function is on the stack below the C++ runtime frames.
#include <stdexcept>
#include <string>
#include <vector>

namespace app {
namespace detail {
template <typename T> struct Processor {
  std::vector<T> items;
  T run(const std::string &label) {
    if (items.size() < 3) throw std::runtime_error("not enough items for " + label); // crash-here
    return items[0];
  }
};
} // namespace detail

template <typename T> T execute(const std::string &label) {
  detail::Processor<T> processor{{1, 2}};
  return processor.run(label);
}
} // namespace app

int main() { return app::execute<int>("job-42"); }
