// `--block-list=ITEMS` (xz 5.6+ syntax: `[chain:]size` items), the
// `--filtersN=` options it refers to, and the long options added with them.

import LZMA

/// Long options handled by the files added for xz 5.6-5.8's options; each
/// one's key is its name. Appended to Options.swift's table.
let newLongOptions: [(name: String, takesValue: Bool)] = [
    ("filters", true), ("filters1", true), ("filters2", true), ("filters3", true), ("filters4", true),
    ("filters5", true), ("filters6", true), ("filters7", true), ("filters8", true), ("filters9", true),
    ("filters-help", false), ("block-list", true), ("info-memory", false), ("no-sync", false), ("flush-timeout", true),
]

/// One `--block-list` item: a block of `size` bytes (`nil`: the rest of the
/// input) compressed with filter chain `chain` (0: the default chain).
struct BlockListEntry: Equatable {
    var chain: Int
    var size: UInt64?
}

/// Parses `--block-list=` as xz 5.8: comma-separated items, each an
/// optional one-digit chain number and `:`, then a size (xz's integer
/// syntax); an empty item (two commas in a row, or `N:` with no size) repeats
/// the previous item; a size of 0 (only allowed last) means the rest of the input.
/// - Throws: `UsageError` with xz's messages.
func parseBlockList(_ text: String) throws(UsageError) -> [BlockListEntry] {
    guard let first = text.first, first != "," else {
        throw UsageError("\(text): Invalid argument to --block-list")
    }
    let items = text.split(separator: ",", omittingEmptySubsequences: false)
    var list: [BlockListEntry] = []
    for (i, raw) in items.enumerated() {
        var item = Substring(raw)
        var chain = 0
        if item.contains(":") {
            let bytes = Array(item.utf8)
            guard bytes.count >= 2, bytes[0] >= 0x30, bytes[0] <= 0x39, bytes[1] == UInt8(ascii: ":") else {
                throw UsageError("\(text): Invalid argument to --block-list")
            }
            chain = Int(bytes[0] - 0x30)
            item = item.dropFirst(2)
        }
        if item.isEmpty {
            // The first item is never empty (checked above) unless it is "N:".
            guard let previous = list.last else { throw UsageError("\(text): Invalid argument to --block-list") }
            list.append(previous)
            continue
        }
        let size = try parseSize(String(item), name: "block-list", min: 0, max: .max)
        if size == 0 && i != items.count - 1 {
            throw UsageError("0 can only be used as the last element in --block-list")
        }
        list.append(BlockListEntry(chain: chain, size: size == 0 ? nil : size))
    }
    return list
}

/// `--filters=` (key "filters") or `--filtersN=`: as xz 5.6+, `--filters=`
/// replaces the individual filter options given before it.
func applyFiltersOption(_ options: inout Options, _ key: String, _ value: String) throws(UsageError) {
    let number = key == "filters" ? 0 : Int(String(key.dropFirst("filters".count)))!
    options.fullChains[number] = try parseFullChain(value, number: number)
    if number == 0 { options.chain = [] }
}

/// The library's block list for the options' `--block-list`, with each
/// item's chain taken from `--filtersN=`.
/// - Throws: `UsageError` when an item names a chain that was not given.
func libraryBlockList(_ options: Options) throws(UsageError) -> [XZBlockListItem] {
    var items: [XZBlockListItem] = []
    for entry in options.blockList {
        var chain: LZMAFilterChain?
        if entry.chain != 0 {
            guard let full = options.fullChains[entry.chain] else {
                throw UsageError("filter chain \(entry.chain) used by --block-list but not specified "
                                 + "with --filters\(entry.chain)=")
            }
            guard full.chain.coder == .lzma2 else { throw UsageError("LZMA1 cannot be used with the .xz format") }
            chain = full.chain
        }
        items.append(XZBlockListItem(size: entry.size ?? 0, chain: chain))
    }
    return items
}
