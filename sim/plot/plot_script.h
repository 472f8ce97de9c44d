// The text of sim/plot/plot.py, compiled into sim.
#pragma once

#include <string_view>

namespace sim::plot {

[[nodiscard]] std::string_view PlotScript();

}  // namespace sim::plot
