// The qnn tests replace the global operator new / delete (allocation_counter.cc) to count heap
// allocations: warm inference must allocate nothing.
#pragma once

namespace qnn_test {

// operator new calls so far in this process.
long allocations();

}  // namespace qnn_test
