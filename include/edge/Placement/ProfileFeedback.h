//===- ProfileFeedback.h - Measured partition times for the placer -*- C++
//-*-===//
//
// `edge-compile --profile-feedback=PROFILE.json` reads a profile that
// `edge-run --profile` wrote for a library placed on several devices: each
// partition's median time beside the estimate it was compiled with. The
// placer first places as that library was placed, checks that its
// partitions are the profile's, scales the estimated time of every node of
// a partition by the partition's measured / estimated, on its device and
// on every device of the same chip, and places again. Several profiles
// apply in order: each one of the library compiled with the ones before.
//
//===----------------------------------------------------------------------===//

#ifndef EDGE_PLACEMENT_PROFILEFEEDBACK_H
#define EDGE_PLACEMENT_PROFILEFEEDBACK_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace mlir::edge {

struct MeasuredPartition {
  std::string device;
  double measuredSeconds = 0, estimatedSeconds = 0;
};

struct ProfileFeedback {
  std::string path;
  /// Indexed by partition number.
  std::vector<MeasuredPartition> partitions;
};

/// Reads the partitions' times of each profile of `paths`, in order.
llvm::Expected<std::vector<ProfileFeedback>>
loadProfileFeedback(llvm::ArrayRef<std::string> paths);

} // namespace mlir::edge

#endif // EDGE_PLACEMENT_PROFILEFEEDBACK_H
