import Foundation

/// A service's OpenAPI document as served: its own `openapi.yaml` merged with the parts every
/// service shares (`openapi-shared.yaml`: health and metrics paths, the error answer, the demand
/// schemas), so that each shared part is written once.
///
/// The merge works on the block layout every document uses (two spaces per level, block-style
/// mappings down to `components.schemas.<Name>`): a key both have is merged one level down, to
/// `paths.<path>` and `components.<section>.<name>`; below that the service's own text wins. A key
/// only the shared file has is appended.
public enum OpenAPIDocument {
    public static func merged(_ own: String, shared: String = sharedText) -> String {
        let sharedLines = lines(shared).filter { !$0.hasPrefix("#") }
        return merge(lines(own), sharedLines, indent: 0, depth: 2).joined(separator: "\n") + "\n"
    }

    /// The shared parts, a resource of this module.
    public static let sharedText: String = {
        guard let url = Bundle.module.url(forResource: "openapi-shared", withExtension: "yaml"),
            let text = try? String(contentsOf: url, encoding: .utf8)
        else { fatalError("openapi-shared.yaml is missing from ServiceRuntime's resources") }
        return text
    }()

    private struct Block {
        var key: String
        var lines: [String]
        /// `key:` alone on its line: a mapping whose entries follow, indented.
        var isMapping: Bool { lines[0].trimmingCharacters(in: .whitespaces).hasSuffix(":") }
    }

    private static func lines(_ text: String) -> [String] {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        while lines.last?.isEmpty == true { lines.removeLast() }
        return lines
    }

    private static func merge(_ own: [String], _ shared: [String], indent: Int, depth: Int) -> [String] {
        let (preamble, ownBlocks) = blocks(own, indent: indent)
        let sharedBlocks = blocks(shared, indent: indent).blocks
        var result = preamble
        for block in ownBlocks {
            if depth > 0, block.isMapping, let other = sharedBlocks.first(where: { $0.key == block.key }), other.isMapping {
                result.append(block.lines[0])
                result += merge(Array(block.lines.dropFirst()), Array(other.lines.dropFirst()), indent: indent + 2, depth: depth - 1)
            } else {
                result += block.lines
            }
        }
        let ownKeys = Set(ownBlocks.map(\.key))
        for block in sharedBlocks where !ownKeys.contains(block.key) { result += block.lines }
        return result
    }

    /// Splits lines into the blocks that start at `indent` with a key; lines before the first are the preamble.
    private static func blocks(_ lines: [String], indent: Int) -> (preamble: [String], blocks: [Block]) {
        var preamble: [String] = []
        var blocks: [Block] = []
        for line in lines {
            if let key = key(of: line, indent: indent) {
                blocks.append(Block(key: key, lines: [line]))
            } else if blocks.isEmpty {
                preamble.append(line)
            } else {
                blocks[blocks.count - 1].lines.append(line)
            }
        }
        return (preamble, blocks)
    }

    private static func key(of line: String, indent: Int) -> String? {
        let prefix = String(repeating: " ", count: indent)
        guard line.hasPrefix(prefix) else { return nil }
        let rest = line.dropFirst(indent)
        guard let first = rest.first, first != " ", first != "#", first != "-", let colon = rest.firstIndex(of: ":") else { return nil }
        return String(rest[..<colon])
    }
}
