import DemandDomain
import InputValidation
import Tenancy
import Testing

@Suite("约谈 records")
struct UnitInterviewInputTests {
    static let today = CivilDate("2026-11-28")!

    static func input(heldOn: String = "2026-11-28", attendees: String = "区双千办主任", demands: String? = nil,
        decision: String = "限期办结超期诉求", dueOn: String? = "2026-12-08") -> UnitInterviewInput
    {
        UnitInterviewInput(unitID: "maojian-zjj", heldOn: heldOn, attendees: attendees, demands: demands, decision: decision, dueOn: dueOn)
    }

    static func codes(_ input: UnitInterviewInput) -> [String] {
        do {
            _ = try input.validated(today: today)
            return []
        } catch {
            return error.issues.map { "\($0.field):\($0.code)" }
        }
    }

    @Test("Held today or before; due today or after, or not at all")
    func days() throws {
        let days = try Self.input().validated(today: Self.today)
        #expect(days.heldOn == Self.today && days.dueOn == CivilDate("2026-12-08"))
        #expect(try Self.input(dueOn: " ").validated(today: Self.today).dueOn == nil)
        #expect(Self.codes(Self.input(heldOn: "2026-11-29")) == ["heldOn:INVALID_DATE"])
        #expect(Self.codes(Self.input(dueOn: "2026-11-27")) == ["dueOn:INVALID_DATE"])
        // Within a year either way: a mistyped year (0504, 3657) is refused, not kept.
        #expect(Self.codes(Self.input(heldOn: "0504-11-12", dueOn: "3657-04-22")) == ["heldOn:INVALID_DATE", "dueOn:INVALID_DATE"])
        #expect(Self.codes(Self.input(heldOn: "2025-11-28", dueOn: "2027-11-29")) == ["dueOn:INVALID_DATE"])
        #expect(Self.codes(Self.input(heldOn: "11/28/2026", dueOn: "明天")) == ["heldOn:INVALID_DATE", "dueOn:INVALID_DATE"])
    }

    @Test("Attendees and what was required are needed; every problem is named at once")
    func texts() {
        #expect(Self.codes(Self.input(attendees: " ", decision: "")) == ["attendees:MISSING_FIELD", "decision:MISSING_FIELD"])
        #expect(Self.codes(Self.input(demands: String(repeating: "号", count: 201))) == ["demands:TEXT_TOO_LONG"])
    }
}
