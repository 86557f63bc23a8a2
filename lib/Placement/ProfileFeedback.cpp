//===- ProfileFeedback.cpp - Measured partition times for the placer ------===//

#include "edge/Placement/ProfileFeedback.h"

#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"

using namespace mlir::edge;

static llvm::Error fail(llvm::StringRef path, const llvm::Twine &why) {
  return llvm::createStringError("--profile-feedback " + path + ": " + why);
}

/// Reads the partitions' times of the profile at `path`.
static llvm::Expected<ProfileFeedback> loadProfile(llvm::StringRef path) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/true);
  if (!buffer)
    return fail(path, buffer.getError().message());
  llvm::Expected<llvm::json::Value> parsed =
      llvm::json::parse((*buffer)->getBuffer());
  if (!parsed)
    return fail(path, llvm::toString(parsed.takeError()));
  const llvm::json::Object *root = parsed->getAsObject();
  const llvm::json::Object *edge = root ? root->getObject("edge") : nullptr;
  const llvm::json::Array *steps = edge ? edge->getArray("steps") : nullptr;
  if (!steps)
    return fail(path, "not a profile (no edge.steps): write one with "
                      "edge-run --profile");
  ProfileFeedback profile;
  profile.path = path.str();
  for (const llvm::json::Value &value : *steps) {
    const llvm::json::Object *step = value.getAsObject();
    std::optional<llvm::StringRef> name =
        step ? step->getString("name") : std::nullopt;
    unsigned index;
    if (!name || !name->consume_front("partition ") ||
        name->getAsInteger(10, index))
      continue;
    std::optional<llvm::StringRef> device = step->getString("device");
    std::optional<double> median = step->getNumber("median_us");
    // A partition without an estimate was estimated at 0 (the profile
    // leaves it out).
    double estimate = step->getNumber("estimate_us").value_or(0);
    if (!device || !median)
      return fail(path, "partition " + llvm::Twine(index) +
                            " has no device or median_us");
    if (index >= 1u << 20)
      return fail(path, "partition " + llvm::Twine(index) + " is too large");
    if (index >= profile.partitions.size())
      profile.partitions.resize(index + 1);
    profile.partitions[index] = {device->str(), *median * 1e-6,
                                 estimate * 1e-6};
  }
  if (profile.partitions.empty())
    return fail(path, "times no partition: profile a library compiled for "
                      "several devices");
  for (auto [index, partition] : llvm::enumerate(profile.partitions))
    if (partition.device.empty())
      return fail(path, "partition " + llvm::Twine(index) + " is missing");
  return profile;
}

llvm::Expected<std::vector<ProfileFeedback>>
mlir::edge::loadProfileFeedback(llvm::ArrayRef<std::string> paths) {
  std::vector<ProfileFeedback> profiles;
  for (const std::string &path : paths) {
    llvm::Expected<ProfileFeedback> profile = loadProfile(path);
    if (!profile)
      return profile.takeError();
    profiles.push_back(std::move(*profile));
  }
  return profiles;
}
