//===- DeviceModel.cpp - Device descriptions, presets and rooflines -------===//

#include "edge/Placement/DeviceModel.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"

#include <optional>

using namespace mlir::edge;
using llvm::StringRef;

const Device *DeviceSet::find(StringRef name) const {
  for (const Device &device : devices)
    if (device.name == name)
      return &device;
  return nullptr;
}

bool Device::supports(StringRef opName) const {
  return !llvm::is_contained(unsupportedOps, opName);
}

const Link *DeviceSet::findLink(StringRef a, StringRef b) const {
  for (const Link &link : links)
    if ((link.from == a && link.to == b) || (link.from == b && link.to == a))
      return &link;
  return nullptr;
}

const NetworkLink *DeviceSet::findNetworkLink(StringRef a, StringRef b) const {
  for (const NetworkLink &link : network)
    if ((link.from == a && link.to == b) || (link.from == b && link.to == a))
      return &link;
  return nullptr;
}

llvm::SmallVector<StringRef> DeviceSet::getMachines() const {
  llvm::SmallVector<StringRef> machines;
  for (const Device &device : devices)
    if (!device.machine.empty() &&
        !llvm::is_contained(machines, device.machine))
      machines.push_back(device.machine);
  return machines;
}

StringRef mlir::edge::getDeviceKindName(DeviceKind kind) {
  switch (kind) {
  case DeviceKind::CPU:
    return "cpu";
  case DeviceKind::NVIDIA:
    return "nvidia";
  case DeviceKind::AMD:
    return "amd";
  }
  llvm_unreachable("unknown device kind");
}

namespace {

/// A preset: sustained f32 figures (vendor peak for dense f32 math, memory
/// bandwidth and capacity from data sheets), and a typical launch cost.
struct Preset {
  StringRef name;
  DeviceKind kind;
  StringRef chip;
  /// The --target its code is generated for ("": the compiling machine).
  StringRef target;
  double peakGflops, bandwidthGBps, memoryGB, launchUs;
};

constexpr Preset kPresets[] = {
    // Two AVX2 cores at ~3 GHz (2 FMA x 8 lanes x 2 per cycle per core).
    {"host", DeviceKind::CPU, "x86-64 (2 cores, AVX2)", "", 192, 20, 24, 0},
    {"rpi5", DeviceKind::CPU, "Cortex-A76 x4 (Raspberry Pi 5)",
     "cpu:cortex-a76", 77, 17, 8, 0},
    {"jetson-orin", DeviceKind::NVIDIA, "Jetson AGX Orin", "nvidia:sm_87", 5300,
     204.8, 32, 8},
    {"a100", DeviceKind::NVIDIA, "A100 SXM 80 GB", "nvidia:sm_80", 19500, 2039,
     80, 5},
    {"h100", DeviceKind::NVIDIA, "H100 SXM", "nvidia:sm_90", 67000, 3350, 80,
     5},
    {"mi300x", DeviceKind::AMD, "Instinct MI300X", "amd:gfx942", 163400, 5300,
     192, 6},
};

/// PCIe 4.0 x16, effective.
constexpr double kPcieGBps = 25, kPcieLatencyUs = 10;

/// A network preset: typical goodput between two machines (what a TCP
/// stream carries, well below the physical layer's rate), one-way latency,
/// and the message overhead of MPI over TCP on a small CPU.
struct NetworkPreset {
  StringRef name;
  double mbps, latencyUs, overheadUs;
};

constexpr NetworkPreset kNetworkPresets[] = {
    // 1000BASE-T: 1,000 Mbit/s on the wire, ~940 of TCP goodput.
    {"ethernet-1g", 940, 100, 50},
    // 100BASE-TX: ~94 Mbit/s of TCP goodput.
    {"ethernet-100m", 94, 150, 50},
    // 802.11ax, 2x2, 80 MHz: 1,201 Mbit/s PHY; ~500 in a room.
    {"wifi-6", 500, 2000, 50},
    // 802.11ac, 2x2, 80 MHz: 867 Mbit/s PHY; ~300 in a room.
    {"wifi-5", 300, 3000, 50},
    // 5G NR sub-6 GHz between two devices of one cell: the uplink bounds it
    // (~100 Mbit/s), ~10 ms each way through the core.
    {"5g-nr", 100, 10000, 50},
    // LTE: uplink ~20 Mbit/s, ~30 ms each way.
    {"lte", 20, 30000, 50},
    // Bluetooth LE 2M PHY: 2 Mbit/s on air, ~1.4 of application data;
    // a 7.5 ms connection interval.
    {"bluetooth-5", 1.4, 7500, 50},
};

/// The machine of a device whose description names none, when others do.
constexpr StringRef kDefaultMachine = "local";

llvm::Error fieldError(const llvm::Twine &path, const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 path + ": " + message);
}

llvm::Expected<double> getPositive(const llvm::json::Object &object,
                                   StringRef key, const std::string &path,
                                   bool allowZero = false) {
  const llvm::json::Value *value = object.get(key);
  if (!value)
    return fieldError(path + "." + key, "missing");
  std::optional<double> number = value->getAsNumber();
  if (!number || *number < 0 || (!allowZero && *number == 0))
    return fieldError(path + "." + key, allowZero
                                            ? "expected a number >= 0"
                                            : "expected a positive number");
  return *number;
}

llvm::Expected<std::string> getString(const llvm::json::Object &object,
                                      StringRef key, const std::string &path) {
  const llvm::json::Value *value = object.get(key);
  if (!value)
    return fieldError(path + "." + key, "missing");
  std::optional<StringRef> text = value->getAsString();
  if (!text || text->empty())
    return fieldError(path + "." + key, "expected a non-empty string");
  return text->str();
}

/// Rejects keys the format does not define (a typo would silently fall
/// back to nothing).
llvm::Error checkKeys(const llvm::json::Object &object,
                      std::initializer_list<StringRef> known,
                      const std::string &path) {
  for (const auto &entry : object) {
    StringRef key = entry.first;
    if (llvm::find(known, key) == known.end())
      return fieldError(path + "." + key, "unknown field");
  }
  return llvm::Error::success();
}

} // namespace

/// The names of a preset table, in order.
template <typename PresetT, size_t N>
static llvm::SmallVector<StringRef> getNames(const PresetT (&presets)[N]) {
  return llvm::to_vector(
      llvm::map_range(presets, [](const PresetT &p) { return p.name; }));
}

llvm::ArrayRef<StringRef> mlir::edge::getDevicePresetNames() {
  static const llvm::SmallVector<StringRef> names = getNames(kPresets);
  return names;
}

llvm::ArrayRef<StringRef> mlir::edge::getNetworkPresetNames() {
  static const llvm::SmallVector<StringRef> names = getNames(kNetworkPresets);
  return names;
}

static const NetworkPreset *findNetworkPreset(StringRef name) {
  const NetworkPreset *preset = llvm::find_if(
      kNetworkPresets, [&](const NetworkPreset &p) { return p.name == name; });
  return preset == std::end(kNetworkPresets) ? nullptr : preset;
}

static std::string listNames(llvm::ArrayRef<StringRef> names) {
  return llvm::join(names, ", ");
}

/// Devices that name no machine are on `local` once another device names
/// one.
static void assignDefaultMachine(DeviceSet &set) {
  if (set.getMachines().empty())
    return;
  for (Device &device : set.devices)
    if (device.machine.empty())
      device.machine = kDefaultMachine.str();
}

/// A network link between every pair of machines that has none yet, with
/// the figures of `preset`.
static void joinMachines(DeviceSet &set, const NetworkPreset &preset) {
  llvm::SmallVector<StringRef> machines = set.getMachines();
  for (size_t i = 0; i < machines.size(); ++i)
    for (size_t j = i + 1; j < machines.size(); ++j)
      if (!set.findNetworkLink(machines[i], machines[j]))
        set.network.push_back({machines[i].str(), machines[j].str(),
                               preset.name.str(), preset.mbps, preset.latencyUs,
                               0, preset.overheadUs});
}

/// Joins every pair of devices of one machine that has no link yet by a
/// PCIe-class link (through the host).
static void addPcieLinks(DeviceSet &set) {
  for (size_t i = 0; i < set.devices.size(); ++i)
    for (size_t j = i + 1; j < set.devices.size(); ++j) {
      const Device &a = set.devices[i], &b = set.devices[j];
      if (a.machine == b.machine && !set.findLink(a.name, b.name))
        set.links.push_back({a.name, b.name, kPcieGBps, kPcieLatencyUs});
    }
}

/// Reads the description's `network`: links between machines, from a
/// preset, figures, or a preset with figures overriding its own.
static llvm::Error parseNetwork(const llvm::json::Value &value,
                                DeviceSet &set) {
  const llvm::json::Array *entries = value.getAsArray();
  if (!entries)
    return fieldError("network", "expected an array");
  llvm::SmallVector<StringRef> machines = set.getMachines();
  for (auto [index, entry] : llvm::enumerate(*entries)) {
    std::string path = "network[" + std::to_string(index) + "]";
    const llvm::json::Object *object = entry.getAsObject();
    if (!object)
      return fieldError(path, "expected an object");
    if (llvm::Error error =
            checkKeys(*object,
                      {"between", "preset", "bandwidth_mbps", "latency_ms",
                       "loss", "message_overhead_us"},
                      path))
      return error;
    NetworkLink link;
    const llvm::json::Array *ends = object->getArray("between");
    if (!ends || ends->size() != 2 || !(*ends)[0].getAsString() ||
        !(*ends)[1].getAsString())
      return fieldError(path + ".between", "expected two node names");
    link.from = (*ends)[0].getAsString()->str();
    link.to = (*ends)[1].getAsString()->str();
    for (const std::string &end : {link.from, link.to})
      if (!llvm::is_contained(machines, end))
        return fieldError(path + ".between",
                          "no device is on node '" + end + "'");
    if (link.from == link.to)
      return fieldError(path, "a network link joins two different nodes");
    if (set.findNetworkLink(link.from, link.to))
      return fieldError(path, "the nodes are linked twice");
    bool figuresRequired = true;
    if (const llvm::json::Value *presetValue = object->get("preset")) {
      std::optional<StringRef> name = presetValue->getAsString();
      const NetworkPreset *preset = name ? findNetworkPreset(*name) : nullptr;
      if (!preset)
        return fieldError(path + ".preset",
                          "expected a network preset (" +
                              listNames(getNetworkPresetNames()) + ")");
      link.preset = preset->name.str();
      link.bandwidthMbps = preset->mbps;
      link.latencyUs = preset->latencyUs;
      link.messageOverheadUs = preset->overheadUs;
      figuresRequired = false;
    }
    if (figuresRequired || object->get("bandwidth_mbps")) {
      llvm::Expected<double> mbps =
          getPositive(*object, "bandwidth_mbps", path);
      if (!mbps)
        return mbps.takeError();
      link.bandwidthMbps = *mbps;
    }
    if (figuresRequired || object->get("latency_ms")) {
      llvm::Expected<double> latency =
          getPositive(*object, "latency_ms", path, /*allowZero=*/true);
      if (!latency)
        return latency.takeError();
      link.latencyUs = *latency * 1e3;
    }
    if (object->get("message_overhead_us")) {
      llvm::Expected<double> overhead =
          getPositive(*object, "message_overhead_us", path, /*allowZero=*/true);
      if (!overhead)
        return overhead.takeError();
      link.messageOverheadUs = *overhead;
    }
    if (object->get("loss")) {
      llvm::Expected<double> loss =
          getPositive(*object, "loss", path, /*allowZero=*/true);
      if (!loss)
        return loss.takeError();
      if (*loss >= 1)
        return fieldError(path + ".loss",
                          "expected a fraction of packets in [0, 1)");
      link.lossRate = *loss;
    }
    set.network.push_back(std::move(link));
  }
  return llvm::Error::success();
}

/// Reads `unsupported_ops`: edge op names such as "edge.scatter_nd".
static llvm::Error getUnsupportedOps(const llvm::json::Value &value,
                                     const std::string &path,
                                     std::vector<std::string> &ops) {
  const llvm::json::Array *array = value.getAsArray();
  if (!array)
    return fieldError(path, "expected an array of op names");
  for (auto [index, element] : llvm::enumerate(*array)) {
    std::optional<StringRef> name = element.getAsString();
    std::string where = path + "[" + std::to_string(index) + "]";
    if (!name)
      return fieldError(where, "expected a string");
    StringRef mnemonic = *name;
    bool wellFormed = mnemonic.consume_front("edge.") && !mnemonic.empty() &&
                      llvm::all_of(mnemonic, [](char c) {
                        return llvm::isLower(c) || llvm::isDigit(c) || c == '_';
                      });
    if (!wellFormed)
      return fieldError(where, "expected an edge op name such as "
                               "'edge.scatter_nd', got '" +
                                   *name + "'");
    ops.push_back(name->str());
  }
  return llvm::Error::success();
}

/// llvm::json::parse recurses once per nesting level, so deeply nested
/// input would exhaust the stack; a description nests four levels.
static constexpr unsigned kMaxJsonNesting = 32;

/// The position where `json` nests deeper than kMaxJsonNesting, if it does.
static std::optional<size_t> findExcessNesting(StringRef json) {
  unsigned depth = 0;
  bool inString = false;
  for (size_t i = 0; i < json.size(); ++i) {
    char c = json[i];
    if (inString) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        inString = false;
    } else if (c == '"') {
      inString = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxJsonNesting)
        return i;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return std::nullopt;
}

llvm::Expected<DeviceSet>
mlir::edge::parseDeviceDescription(StringRef json) {
  if (std::optional<size_t> offset = findExcessNesting(json))
    return fieldError("device description",
                      "invalid JSON: nested more than " +
                          llvm::Twine(kMaxJsonNesting) + " levels deep at offset " +
                          llvm::Twine(*offset));
  llvm::Expected<llvm::json::Value> parsed = llvm::json::parse(json);
  if (!parsed)
    return fieldError("device description",
                      "invalid JSON: " + llvm::toString(parsed.takeError()));
  const llvm::json::Object *root = parsed->getAsObject();
  if (!root)
    return fieldError("device description", "expected a JSON object");
  if (llvm::Error error =
          checkKeys(*root, {"devices", "links", "network"}, "(root)"))
    return std::move(error);
  const llvm::json::Array *devices = root->getArray("devices");
  if (!devices || devices->empty())
    return fieldError("devices", "expected a non-empty array");

  DeviceSet set;
  llvm::StringSet<> names;
  for (auto [index, value] : llvm::enumerate(*devices)) {
    std::string path = "devices[" + std::to_string(index) + "]";
    const llvm::json::Object *object = value.getAsObject();
    if (!object)
      return fieldError(path, "expected an object");
    if (llvm::Error error =
            checkKeys(*object,
                      {"name", "kind", "chip", "target", "peak_gflops",
                       "memory_bandwidth_gbps", "memory_gb",
                       "launch_overhead_us", "unsupported_ops", "node"},
                      path))
      return std::move(error);
    Device device;
    llvm::Expected<std::string> name = getString(*object, "name", path);
    llvm::Expected<std::string> kind = getString(*object, "kind", path);
    if (!name)
      return name.takeError();
    if (!kind)
      return kind.takeError();
    if (!names.insert(*name).second)
      return fieldError(path + ".name", "'" + *name + "' is used twice");
    device.name = *name;
    if (*kind == "cpu")
      device.kind = DeviceKind::CPU;
    else if (*kind == "nvidia")
      device.kind = DeviceKind::NVIDIA;
    else if (*kind == "amd")
      device.kind = DeviceKind::AMD;
    else
      return fieldError(path + ".kind",
                        "expected cpu, nvidia or amd, got '" + *kind + "'");
    if (const llvm::json::Value *chip = object->get("chip")) {
      std::optional<StringRef> text = chip->getAsString();
      if (!text)
        return fieldError(path + ".chip", "expected a string");
      device.chip = text->str();
    }
    if (const llvm::json::Value *target = object->get("target")) {
      std::optional<StringRef> text = target->getAsString();
      StringRef prefix = getDeviceKindName(device.kind);
      if (!text || !(*text == prefix || text->starts_with(prefix.str() + ":")))
        return fieldError(path + ".target", "expected a " + prefix +
                                                " target: '" + prefix +
                                                "' or '" + prefix + ":NAME'");
      device.target = *text == "cpu" ? "" : text->str();
    }
    llvm::Expected<double> peak = getPositive(*object, "peak_gflops", path);
    if (!peak)
      return peak.takeError();
    llvm::Expected<double> bandwidth =
        getPositive(*object, "memory_bandwidth_gbps", path);
    if (!bandwidth)
      return bandwidth.takeError();
    llvm::Expected<double> memory = getPositive(*object, "memory_gb", path);
    if (!memory)
      return memory.takeError();
    device.peakGflops = *peak;
    device.memoryBandwidthGBps = *bandwidth;
    device.memoryBytes = *memory * 1e9;
    if (object->get("launch_overhead_us")) {
      llvm::Expected<double> launch = getPositive(
          *object, "launch_overhead_us", path, /*allowZero=*/true);
      if (!launch)
        return launch.takeError();
      device.launchOverheadUs = *launch;
    }
    if (const llvm::json::Value *ops = object->get("unsupported_ops")) {
      llvm::Error error = getUnsupportedOps(*ops, path + ".unsupported_ops",
                                            device.unsupportedOps);
      if (error)
        return std::move(error);
    }
    if (object->get("node")) {
      llvm::Expected<std::string> machine = getString(*object, "node", path);
      if (!machine)
        return machine.takeError();
      device.machine = *machine;
    }
    set.devices.push_back(device);
  }
  assignDefaultMachine(set);

  if (const llvm::json::Value *linksValue = root->get("links")) {
    const llvm::json::Array *links = linksValue->getAsArray();
    if (!links)
      return fieldError("links", "expected an array");
    for (auto [index, value] : llvm::enumerate(*links)) {
      std::string path = "links[" + std::to_string(index) + "]";
      const llvm::json::Object *object = value.getAsObject();
      if (!object)
        return fieldError(path, "expected an object");
      if (llvm::Error error = checkKeys(
              *object, {"from", "to", "bandwidth_gbps", "latency_us"}, path))
        return std::move(error);
      Link link;
      for (auto [key, field] :
           {std::pair<StringRef, std::string *>{"from", &link.from},
            {"to", &link.to}}) {
        llvm::Expected<std::string> end = getString(*object, key, path);
        if (!end)
          return end.takeError();
        if (!set.find(*end))
          return fieldError(path + "." + key,
                            "no device named '" + *end + "'");
        *field = *end;
      }
      if (link.from == link.to)
        return fieldError(path, "a link joins two different devices");
      if (set.findLink(link.from, link.to))
        return fieldError(path, "the devices are linked twice");
      if (set.find(link.from)->machine != set.find(link.to)->machine)
        return fieldError(path, "the devices are on different nodes, which "
                                "'network' links join");
      llvm::Expected<double> bandwidth =
          getPositive(*object, "bandwidth_gbps", path);
      if (!bandwidth)
        return bandwidth.takeError();
      llvm::Expected<double> latency =
          getPositive(*object, "latency_us", path, /*allowZero=*/true);
      if (!latency)
        return latency.takeError();
      link.bandwidthGBps = *bandwidth;
      link.latencyUs = *latency;
      set.links.push_back(link);
    }
  }
  if (const llvm::json::Value *network = root->get("network"))
    if (llvm::Error error = parseNetwork(*network, set))
      return std::move(error);
  return set;
}

llvm::Expected<DeviceSet>
mlir::edge::getPresetDevices(StringRef commaSeparated) {
  llvm::SmallVector<StringRef> names;
  commaSeparated.split(names, ',');
  DeviceSet set;
  const NetworkPreset *network = nullptr;
  llvm::StringMap<unsigned> uses;
  for (StringRef item : names) {
    item = item.trim();
    if (const NetworkPreset *preset = findNetworkPreset(item)) {
      if (network && network != preset)
        return fieldError("--devices", "two network presets, '" +
                                           network->name + "' and '" +
                                           preset->name + "'");
      network = preset;
      continue;
    }
    StringRef name, machine;
    std::tie(name, machine) = item.split('@');
    if (item.contains('@') && machine.empty())
      return fieldError("--devices", "'" + item + "' names no node after '@'");
    const Preset *preset = llvm::find_if(
        kPresets, [&](const Preset &p) { return p.name == name; });
    if (preset == std::end(kPresets))
      return fieldError(
          "--devices",
          "unknown preset '" + name.str() +
              "' (presets: " + listNames(getDevicePresetNames()) +
              "; network presets: " + listNames(getNetworkPresetNames()) + ")");
    // Repeated presets are distinct devices: host, host1, ...
    unsigned count = uses[item]++;
    Device device;
    device.name = count ? (item + llvm::Twine(count)).str() : item.str();
    device.kind = preset->kind;
    device.chip = preset->chip.str();
    device.target = preset->target.str();
    device.peakGflops = preset->peakGflops;
    device.memoryBandwidthGBps = preset->bandwidthGBps;
    device.memoryBytes = preset->memoryGB * 1e9;
    device.launchOverheadUs = preset->launchUs;
    device.machine = machine.str();
    set.devices.push_back(device);
  }
  assignDefaultMachine(set);
  addPcieLinks(set);
  if (network) {
    if (set.getMachines().size() < 2)
      return fieldError("--devices",
                        "network preset '" + network->name +
                            "' joins nodes, but the devices are on one; "
                            "put them on nodes as PRESET@NODE");
    joinMachines(set, *network);
  }
  return set;
}

double mlir::edge::estimateKernelSeconds(const Device &device, int64_t flops,
                                         int64_t bytes) {
  double compute = double(flops) / (device.peakGflops * 1e9);
  double memory = double(bytes) / (device.memoryBandwidthGBps * 1e9);
  return device.launchOverheadUs * 1e-6 + std::max(compute, memory);
}

double mlir::edge::estimateTransferSeconds(const Link &link, int64_t bytes) {
  return link.latencyUs * 1e-6 + double(bytes) / (link.bandwidthGBps * 1e9);
}

double NetworkLink::getFixedSeconds() const {
  return (latencyUs + messageOverheadUs) * 1e-6;
}

double NetworkLink::getSecondsPerByte() const {
  return 8 / (bandwidthMbps * 1e6 * (1 - lossRate));
}

double mlir::edge::estimateTransferSeconds(const NetworkLink &link,
                                           int64_t bytes) {
  return link.getFixedSeconds() + double(bytes) * link.getSecondsPerByte();
}

/// Far more than any real description of devices and links.
static constexpr uint64_t kMaxDescriptionBytes = 1 << 20;

/// Whether a `--devices` item names a description file rather than a
/// preset: presets are plain names, anything that looks like a path (or
/// exists) is a file.
static bool isDescriptionFile(StringRef item) {
  return item.contains('/') || item.ends_with(".json") ||
         llvm::sys::fs::exists(item);
}

static llvm::Expected<DeviceSet> loadDescriptionFile(StringRef path) {
  llvm::sys::fs::file_status status;
  if (!llvm::sys::fs::status(path, status)) {
    // A special file (/dev/zero, a FIFO) could be read without end.
    if (status.type() != llvm::sys::fs::file_type::regular_file)
      return fieldError(path, "not a regular file");
    if (status.getSize() > kMaxDescriptionBytes)
      return fieldError(path, "a device description is at most " +
                                  llvm::Twine(kMaxDescriptionBytes) +
                                  " bytes; this file has " +
                                  llvm::Twine(status.getSize()));
  }
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/true);
  if (!buffer)
    return fieldError(path, "cannot read: " + buffer.getError().message());
  llvm::Expected<DeviceSet> set = parseDeviceDescription((*buffer)->getBuffer());
  if (!set)
    return fieldError(path, llvm::toString(set.takeError()));
  return set;
}

llvm::Expected<DeviceSet> mlir::edge::loadDevices(StringRef spec) {
  llvm::SmallVector<StringRef> items;
  spec.split(items, ',');
  if (!llvm::any_of(items, isDescriptionFile))
    return getPresetDevices(spec);
  if (items.size() == 1)
    return loadDescriptionFile(spec);
  // Files and presets together (`calibrated.json,h100`): each file's
  // devices and links, each run of presets as getPresetDevices makes it,
  // a PCIe-class link between devices of different parts on one machine,
  // and a network preset's link between machines no file links.
  const NetworkPreset *network = nullptr;
  llvm::erase_if(items, [&](StringRef item) {
    const NetworkPreset *preset = findNetworkPreset(item.trim());
    network = preset ? preset : network;
    return preset != nullptr;
  });
  DeviceSet merged;
  for (size_t i = 0; i < items.size();) {
    size_t end = i + 1;
    if (!isDescriptionFile(items[i]))
      while (end < items.size() && !isDescriptionFile(items[end]))
        ++end;
    StringRef first = items[i], last = items[end - 1];
    StringRef part(first.data(), last.end() - first.data());
    llvm::Expected<DeviceSet> loaded = isDescriptionFile(first)
                                           ? loadDescriptionFile(part)
                                           : getPresetDevices(part);
    if (!loaded)
      return loaded.takeError();
    for (Device &device : loaded->devices) {
      if (merged.find(device.name))
        return fieldError("--devices", "two devices are called '" +
                                           device.name +
                                           "'; rename one in its file");
      merged.devices.push_back(std::move(device));
    }
    llvm::append_range(merged.links, loaded->links);
    llvm::append_range(merged.network, loaded->network);
    i = end;
  }
  assignDefaultMachine(merged);
  addPcieLinks(merged);
  if (network)
    joinMachines(merged, *network);
  return merged;
}
