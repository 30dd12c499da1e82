/// A ZIP archive of stored (uncompressed) entries, the container of .xlsx and .docx files.
///
/// Office documents are small here (a report of a few hundred rows), so entries are stored rather
/// than deflated: every reader must accept stored entries, and it keeps the writer free of zlib.
/// Names are UTF-8 (flag bit 11) and every timestamp is the DOS epoch, so one input always gives
/// the same bytes.
struct ZipArchive {
    private var body: [UInt8] = []
    private var centralDirectory: [UInt8] = []
    private var entryCount = 0

    mutating func add(_ name: String, _ text: String) {
        add(name, Array(text.utf8))
    }

    mutating func add(_ name: String, _ data: [UInt8]) {
        let nameBytes = Array(name.utf8)
        let checksum = CRC32.checksum(data)
        let offset = UInt32(body.count)
        // Local file header.
        body.append(uint32: 0x0403_4b50)
        body.append(contentsOf: entryFields(checksum: checksum, size: data.count, nameLength: nameBytes.count))
        body.append(contentsOf: nameBytes)
        body.append(contentsOf: data)
        // Central directory header.
        centralDirectory.append(uint32: 0x0201_4b50)
        centralDirectory.append(uint16: 20)  // made by: version 2.0
        centralDirectory.append(contentsOf: entryFields(checksum: checksum, size: data.count, nameLength: nameBytes.count))
        centralDirectory.append(uint16: 0)  // comment length
        centralDirectory.append(uint16: 0)  // disk number
        centralDirectory.append(uint16: 0)  // internal attributes
        centralDirectory.append(uint32: 0)  // external attributes
        centralDirectory.append(uint32: offset)
        centralDirectory.append(contentsOf: nameBytes)
        entryCount += 1
    }

    /// The fields the local and central headers share, from "version needed" to "extra length".
    private func entryFields(checksum: UInt32, size: Int, nameLength: Int) -> [UInt8] {
        var fields: [UInt8] = []
        fields.append(uint16: 20)  // version needed: 2.0
        fields.append(uint16: 0x0800)  // names are UTF-8
        fields.append(uint16: 0)  // stored
        fields.append(uint16: 0)  // time 00:00
        fields.append(uint16: 0x21)  // date 1980-01-01
        fields.append(uint32: checksum)
        fields.append(uint32: UInt32(size))
        fields.append(uint32: UInt32(size))
        fields.append(uint16: UInt16(nameLength))
        fields.append(uint16: 0)  // extra length
        return fields
    }

    /// The whole archive: entries, central directory, end record.
    var bytes: [UInt8] {
        var archive = body + centralDirectory
        archive.append(uint32: 0x0605_4b50)
        archive.append(uint16: 0)  // this disk
        archive.append(uint16: 0)  // disk with the directory
        archive.append(uint16: UInt16(entryCount))
        archive.append(uint16: UInt16(entryCount))
        archive.append(uint32: UInt32(centralDirectory.count))
        archive.append(uint32: UInt32(body.count))
        archive.append(uint16: 0)  // comment length
        return archive
    }
}

/// CRC-32 (IEEE 802.3, reflected), as ZIP requires for every entry.
enum CRC32 {
    private static let table: [UInt32] = (0..<256).map { index in
        var value = UInt32(index)
        for _ in 0..<8 { value = value & 1 == 1 ? 0xEDB8_8320 ^ (value >> 1) : value >> 1 }
        return value
    }

    static func checksum(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        return crc ^ 0xFFFF_FFFF
    }
}

extension [UInt8] {
    fileprivate mutating func append(uint16 value: UInt16) {
        append(UInt8(value & 0xFF))
        append(UInt8(value >> 8))
    }

    fileprivate mutating func append(uint32 value: UInt32) {
        for shift in stride(from: 0, to: 32, by: 8) { append(UInt8((value >> UInt32(shift)) & 0xFF)) }
    }
}
