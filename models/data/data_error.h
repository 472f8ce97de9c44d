// Thrown when a data file is missing, unreadable or malformed; the message
// names the file and what is wrong with it.
#pragma once

#include <stdexcept>

namespace sim::models {

class DataError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace sim::models
