import DemandDomain
import Foundation
import InputValidation
import PropertyBased
import Tenancy
import Testing

@Suite("Validation of people's input")
struct ValidationTests {
    @Test("Published credit codes pass the GB 32100 check", arguments: ["91350100M000100Y43", "91110000802100433B"])
    func publishedCodesAreValid(code: String) throws {
        #expect(try UnifiedSocialCreditCode(validating: code).rawValue == code)
    }

    @Test("Lower case and surrounding spaces are normalised")
    func normalisation() throws {
        #expect(try UnifiedSocialCreditCode(validating: " 91110000802100433b ").rawValue == "91110000802100433B")
    }

    @Test(
        "Surrounding whitespace is trimmed, ideographic and no-break spaces included; inner spaces stay",
        arguments: [
            ("  企业 名称\u{3000}", "企业 名称"), ("\t\n 盛达\u{00A0}", "盛达"), ("盛达", "盛达"), (" \u{3000}\n", ""), ("", ""),
            ("a", "a"), (" a b ", "a b"), ("👨‍👩‍👧 ", "👨‍👩‍👧"),
        ])
    func trimming(text: String, trimmed: String) {
        #expect(text.trimmingWhitespace == trimmed)
    }

    @Test(
        "Malformed credit codes are refused with the right problem",
        arguments: [
            ("91350100M000100Y4", UnifiedSocialCreditCode.Problem.wrongLength),
            ("91350100M000100Y431", .wrongLength),
            ("91350100M0001O0Y43", .invalidCharacter),  // the letter O is not in the alphabet
            ("9135A100M000100Y43", .invalidDivisionCode),
            ("91350100M000100Y44", .checkCharacterMismatch),
            ("000000000000000000", .invalidRegistrationAuthority),  // its check character is right
            ("Z1350100M000100Y43", .invalidCharacter),
        ])
    func malformedCodes(code: String, problem: UnifiedSocialCreditCode.Problem) {
        #expect(throws: problem) { try UnifiedSocialCreditCode(validating: code) }
    }

    @Test("A code with a right check character is still refused for an unknown department or province")
    func wellFormedButImpossibleCodes() throws {
        for (prefix, problem) in [
            ("01350100M000100Y4", UnifiedSocialCreditCode.Problem.invalidRegistrationAuthority),
            ("B1350100M000100Y4", .invalidRegistrationAuthority),
            ("90350100M000100Y4", .invalidRegistrationAuthority),
            ("91000000M000100Y4", .invalidDivisionCode),
            ("91050100M000100Y4", .invalidDivisionCode),
        ] {
            let code = prefix + String(try #require(UnifiedSocialCreditCode.checkCharacter(forPrefix: prefix)))
            #expect(throws: problem, "\(code)") { try UnifiedSocialCreditCode(validating: code) }
        }
    }

    @Test("Every single-character change of a valid code is caught")
    func singleSubstitutionsAreDetected() async {
        let alphabet = Array("0123456789ABCDEFGHJKLMNPQRTUWXY")
        await propertyCheck(input: Gen.int(in: 0...17), Gen.int(in: 1...30)) { position, shift in
            var characters = Array("91350100M000100Y43")
            let index = alphabet.firstIndex(of: characters[position])!
            characters[position] = alphabet[(index + shift) % alphabet.count]
            let mutated = String(characters)
            #expect(throws: (any Error).self) { try UnifiedSocialCreditCode(validating: mutated) }
        }
    }

    @Test("Generated prefixes with their computed check character validate")
    func computedCheckCharacter() async {
        let alphabet = Array("0123456789ABCDEFGHJKLMNPQRTUWXY")
        let symbol = Gen.element(of: alphabet).map { $0! }
        await propertyCheck(input: symbol.array(of: 9), Gen.int(in: 110_000...829_999)) { tail, division in
            let prefix = "91\(division)" + String(tail)
            let check = UnifiedSocialCreditCode.checkCharacter(forPrefix: prefix)!
            #expect((try? UnifiedSocialCreditCode(validating: prefix + String(check))) != nil)
        }
    }

    @Test("Mainland mobile numbers", arguments: [
        ("13800138000", "13800138000"), ("+86 138-0013-8000", "13800138000"), ("8619900001001", "19900001001"),
        ("008613800138000", "13800138000"),
    ])
    func validMobiles(input: String, canonical: String) {
        #expect(MobileNumber(input)?.digits == canonical)
    }

    @Test("Not mainland mobile numbers", arguments: ["12800138000", "1380013800", "138001380000", "0719-8111697", "1380013800a", ""])
    func invalidMobiles(input: String) {
        #expect(MobileNumber(input) == nil)
    }

    @Test("A contact number is a mobile or a landline with its area code", arguments: [
        ("138 0013 8000", "13800138000", true), ("0719-8866001", "0719-8866001", false), ("07198866001", "0719-8866001", false),
        ("(0719)8866001", "0719-8866001", false), ("（0719）8866001", "0719-8866001", false), ("010-62345678", "010-62345678", false),
        ("02087654321", "020-87654321", false), ("0871 6123456", "0871-6123456", false),
    ])
    func contactNumbers(input: String, stored: String, isMobile: Bool) throws {
        let number = try #require(ContactNumber(input))
        #expect(number.text == stored)
        #expect((number.mobile != nil) == isMobile)
        let decoded = try JSONDecoder().decode(ContactNumber.self, from: JSONEncoder().encode(number))
        #expect(decoded == number)
    }

    @Test("Not contact numbers", arguments: ["0719-0866001", "0719-1866001", "0719-886600", "0719-886600123", "8866001", "0719-88a6001",
        "12800138000", ""])
    func notContactNumbers(input: String) {
        #expect(ContactNumber(input) == nil)
    }

    @Test("Phone numbers are masked in logs")
    func masking() {
        #expect(MobileNumber("13800138000")!.masked == "138****8000")
        #expect("\(MobileNumber("13800138000")!)" == "138****8000")
        #expect(maskPhoneNumbers(in: "to=13800138000&x=12") == "to=138****8000&x=12")
        #expect(maskPhoneNumbers(in: "+8613800138000，请回电") == "+86138****8000，请回电")
        // Ids and other numbers are not phone numbers.
        #expect(maskPhoneNumbers(in: "request 748d292042e07522902290f4738ffbd730") == "request 748d292042e07522902290f4738ffbd730")
        #expect(maskPhoneNumbers(in: "offset=12345678901 order 20261126") == "offset=12345678901 order 20261126")
    }

    @Test("A valid form becomes typed content")
    func validForm() throws {
        let content = try Fixtures.form.validated()
        #expect(content.enterprise.creditCode.rawValue == "91350100M000100Y43")
        #expect(content.contact.phone.text == "19900001001")
        #expect(content.channel == .platform)
    }

    @Test("Every problem in a form is reported at once, with codes and Chinese messages")
    func allProblemsReported() {
        var form = Fixtures.form
        form.enterprise.creditCode = "123"
        form.contact.phone = "12345"
        form.contact.email = "not-an-email"
        form.difficulty = "   "
        form.helpWanted = String(repeating: "长", count: 2001)
        #expect {
            try form.validated()
        } throws: { error in
            let issues = (error as! ValidationError).issues
            let codes = Dictionary(uniqueKeysWithValues: issues.map { ($0.field, $0.code) })
            return codes == [
                "enterprise.creditCode": "INVALID_CREDIT_CODE", "contact.phone": "INVALID_PHONE",
                "contact.email": "INVALID_EMAIL", "difficulty": "MISSING_FIELD", "helpWanted": "TEXT_TOO_LONG",
            ] && issues.allSatisfy { $0.message.unicodeScalars.contains { $0.value >= 0x4E00 && $0.value <= 0x9FFF } }
        }
    }

    @Test("Text made only of invisible characters counts as missing", arguments: ["\u{200B}\u{200B}", "\u{FEFF}", " \u{200D}\u{2060} "])
    func invisibleTextIsMissing(text: String) {
        var form = Fixtures.form
        form.difficulty = text
        #expect {
            try form.validated()
        } throws: { error in
            (error as! ValidationError).issues.map { "\($0.field) \($0.code)" } == ["difficulty MISSING_FIELD"]
        }
    }

    @Test("反映时间 may be an earlier day but not a later one; 备注 is kept trimmed")
    func raisedOnAndRemarks() throws {
        var form = Fixtures.form
        form.raisedOn = CivilDate(Date()).adding(days: 1)
        #expect(throws: ValidationError.self) { try form.validated() }
        form.raisedOn = CivilDate(Date()).adding(days: -3)
        form.remarks = "  企业来函反映  "
        let content = try form.validated()
        #expect(content.raisedOn == CivilDate(Date()).adding(days: -3))
        #expect(content.remarks == "企业来函反映")
    }

    @Test("建议承办单位 is kept trimmed, left out when blank, and bounded")
    func suggestedUnit() throws {
        var form = Fixtures.form
        form.suggestedUnit = "  区经信局 "
        #expect(try form.validated().suggestedUnit == "区经信局")
        form.suggestedUnit = "   "
        #expect(try form.validated().suggestedUnit == nil)
        form.suggestedUnit = String(repeating: "局", count: DemandForm.Limits.name + 1)
        #expect {
            try form.validated()
        } throws: { error in
            (error as! ValidationError).issues.map { "\($0.field) \($0.code)" } == ["suggestedUnit TEXT_TOO_LONG"]
        }
    }

    @Test("Matters in litigation, arbitration or administrative review are out of scope", arguments: LegalProceeding.allCases)
    func outOfScope(proceeding: LegalProceeding) {
        var form = Fixtures.form
        form.legalProceeding = proceeding
        #expect {
            try form.validated()
        } throws: { error in
            let first = (error as! ValidationError).issues.first!
            return first.code == "OUT_OF_SCOPE" && first.message.contains(proceeding.chineseName)
        }
    }

    @Test("State secrets are out of scope")
    func stateSecrets() {
        var form = Fixtures.form
        form.involvesStateSecrets = true
        #expect(throws: ValidationError.self) { try form.validated() }
    }

    @Test("Document numbers format and parse in the seed's format")
    func documentNumbers() {
        let number = DocumentNumber(office: "十堰", kind: .registration, year: 2021, sequence: 12)
        #expect(number.description == "十堰服企办收（2021）第12号")
        #expect(DocumentNumber("十堰服企办收（2021）第12号") == number)
        #expect(DocumentNumber("茅箭服企办报（2026）第3号")?.kind == .escalation)
        #expect(DocumentNumber("十堰服企办催（2026）第7号")?.kind == .urge)
        #expect(DocumentNumber(office: "十堰", kind: .urge, year: 2026, sequence: 7).description == "十堰服企办催（2026）第7号")
        #expect(DocumentNumber("茅箭服企办交（2026）第7号")?.kind == .dispatch)
        for bad in ["十堰服企办收(2021)第12号", "服企办收（2021）第12号", "十堰服企办查（2021）第12号", "十堰服企办收（21）第12号",
            "十堰服企办收（2021）第0号", "十堰服企办收（2021）第号", "十堰服企办收（2021）12号"] {
            #expect(DocumentNumber(bad) == nil, "\(bad) should not parse")
        }
    }

    @Test("Document numbers round-trip for any office, kind, year and sequence")
    func documentNumberRoundTrip() async {
        await propertyCheck(input: Gen.element(of: ["十堰", "茅箭", "张湾", "临沧"]).map { $0! },
            Gen.element(of: DocumentNumber.Kind.allCases).map { $0! }, Gen.int(in: 2000...2099), Gen.int(in: 1...999_999)) {
            office, kind, year, sequence in
            let number = DocumentNumber(office: office, kind: kind, year: year, sequence: sequence)
            #expect(DocumentNumber(number.description) == number)
        }
    }

    @Test("Tenant trees refuse broken configurations")
    func tenantTreeValidation() {
        #expect(throws: TenantTree.ValidationError.unknownParent("maojian", parent: "shiyan")) {
            try TenantTree([Fixtures.maojian])
        }
        var badLevel = Fixtures.maojian
        badLevel.level = .city
        #expect(throws: TenantTree.ValidationError.levelNotBelowParent("maojian")) {
            try TenantTree([Fixtures.shiyan, badLevel])
        }
        #expect(Fixtures.tree.subtree(of: "shiyan") == ["shiyan", "maojian", "zhangwan"])
        #expect(Fixtures.tree.isInSubtree("zhangwan", of: "shiyan"))
        #expect(!Fixtures.tree.isInSubtree("zhangwan", of: "maojian"))
    }
}
