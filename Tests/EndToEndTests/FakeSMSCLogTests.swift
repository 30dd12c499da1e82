import Foundation
import LocalStack
import Testing

@Suite("fakesmsc log")
struct FakeSMSCLogTests {
    @Test("Single and concatenated UCS-2 messages are decoded and reassembled")
    func parse() throws {
        let log = """
            2026-11-23 02:31:48 [23442] [0] INFO: Got message 1: <10690001 19900010011 ucs-2 0%10SAX0%5E%02S%CCSCR%9E0%11SAX0N%B2n%05O%01N%1Ag%0DR%A1O%E1%60o%5EsS%F0g%09N%00gae%B0O%01N%1A%8B%C9lB_%85%7B~e6>
            2026-11-23 02:32:00 [23442] [0] DEBUG: Got message 2: <10690001 19900010012 udh %05%00%03%07%02%01 data 0%10SAX0>
            2026-11-23 02:32:00 [23442] [0] INFO: fakesmsc: sent message 1
            2026-11-23 02:32:00 [23442] [0] DEBUG: Got message 3: <10690001 19900010012 udh %05%00%03%07%02%02 data %5E%02S%CC>
            """
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("fakesmsc-\(UUID()).log").path
        try log.write(toFile: path, atomically: true, encoding: .utf8)
        let messages = FakeSMSCLog(path: path).messages()
        #expect(messages.map(\.to) == ["19900010011", "19900010012"])
        #expect(messages.first?.text == "【十堰市双千办】十堰亲清企业服务信息平台有一条新企业诉求待签收")
        #expect(messages.last?.text == "【十堰市双")
        #expect(FakeSMSCLog(path: path).messages(after: 1).map(\.to) == ["19900010012"])
        #expect(FakeSMSCLog(path: path).messages(after: 2).isEmpty, "a part without its first half is no message")
    }

    @Test("A 0x20 byte, written as + (张 is U+5F20), is decoded, and a + written as %2B stays one")
    func plusSigns() throws {
        let log = """
            2026-11-27 14:10:00 [23442] [0] INFO: Got message 4: <10690001 19900030072 ucs-2 _+%96%F6%00%2B>
            """
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("fakesmsc-\(UUID()).log").path
        try log.write(toFile: path, atomically: true, encoding: .utf8)
        #expect(FakeSMSCLog(path: path).messages().map(\.text) == ["张零+"])
    }
}
