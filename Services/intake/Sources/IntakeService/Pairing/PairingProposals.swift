import DemandDomain
import DemandStore
import Foundation
import Hummingbird
import InputValidation
import PlatformEvents
import PostgresNIO
import PostgresStorage
import ServiceRuntime
import Tenancy

/// Changes of pairing after the allocation (000 Q6–Q9): the cadre (for their own enterprise) or the
/// office proposes that an enterprise go back to the pool, go to another cadre, or leave the pairing
/// list; the office approves or refuses with a reason. An approved change is kept with who, when and
/// why, and a new cadre and the enterprise's liaison are texted.
extension PairingDesk {
    static let proposalMigration = Migration(version: 21, name: "pairing proposals", statements: [
        """
        CREATE TABLE pairing_proposals (
            id uuid PRIMARY KEY,
            enterprise_id text NOT NULL,
            kind text NOT NULL,
            from_cadre text,
            to_cadre text,
            reason text NOT NULL,
            proposed_by text NOT NULL,
            proposed_at timestamptz NOT NULL DEFAULT clock_timestamp(),
            state text NOT NULL DEFAULT 'proposed',
            decided_by text,
            decided_at timestamptz,
            decision_note text
        )
        """,
        // One open proposal per enterprise.
        "CREATE UNIQUE INDEX pairing_proposals_open ON pairing_proposals (enterprise_id) WHERE state = 'proposed'",
        // Enterprises taken off the pairing list, which no allocation pairs again.
        """
        CREATE TABLE pairing_removed (
            enterprise_id text PRIMARY KEY,
            reason text NOT NULL,
            removed_at timestamptz NOT NULL DEFAULT clock_timestamp()
        )
        """,
    ])

    enum ProposalState: String, Codable, Sendable {
        case proposed, approved, refused

        var chineseName: String {
            switch self {
            case .proposed: "待审批"
            case .approved: "已同意"
            case .refused: "未同意"
            }
        }
    }

    struct Proposal: Codable, ResponseEncodable {
        var id: UUID
        var enterpriseID: String
        var enterpriseName: String
        var kind: PairingChangeKind
        var kindName: String
        var fromCadreName: String?
        var toCadreID: String?
        var toCadreName: String?
        var reason: String
        var proposedBy: String
        var proposedAt: Date
        var state: ProposalState
        var stateName: String
        var decisionNote: String?
    }

    struct Decision: Codable {
        var approve: Bool
        var note: String?
    }

    func propose(_ input: PairingProposalInput, by principal: Principal) async throws -> Proposal {
        try principal.require(tier: tier)
        guard principal.role == .cadre || principal.role == .office else { throw APIError.forbiddenRole(principal.role) }
        let kind = try input.validated()
        let id = UUID()
        let reason = input.reason.trimmingWhitespace
        try await runtime.transaction { connection in
            guard let enterprise = try await intake.directory.enterprise(input.enterpriseID, on: connection), enterprise.tenant == tier,
                enterprise.active
            else { throw APIError.notFound("企业") }
            if principal.role == .cadre, enterprise.pairedCadreID != principal.subject {
                throw APIError(.forbidden, code: "NOT_PAIRED", message: "您不是该企业的包联干部")
            }
            if kind != .remove, enterprise.pairedCadreID == nil {
                throw APIError.conflict(code: "NOT_PAIRED_YET", message: "该企业尚未安排包联干部，请通过包联分配安排")
            }
            if kind == .reassign {
                guard let to = try await intake.directory.person(input.toCadreID ?? "", on: connection), to.tenant == tier,
                    to.role == .cadre, to.active, to.id != enterprise.pairedCadreID
                else {
                    throw APIError.invalid(code: "INVALID_CADRE", message: "请选择本级另一名在职的包联干部", field: "toCadreID")
                }
            }
            do {
                try await connection.execute(
                    """
                    INSERT INTO pairing_proposals (id, enterprise_id, kind, from_cadre, to_cadre, reason, proposed_by)
                    VALUES (\(id), \(enterprise.id), \(kind.rawValue), \(enterprise.pairedCadreID),
                        \(kind == .reassign ? input.toCadreID : nil), \(reason), \(principal.subject))
                    """, logger: logger)
            } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23505" {
                throw APIError.conflict(code: "PROPOSAL_OPEN", message: "该企业已有待审批的包联调整")
            }
        }
        logger.info("Pairing change proposed", metadata: ["enterprise": "\(input.enterpriseID)", "kind": "\(kind.rawValue)"])
        return try await proposal(id)
    }

    /// Open proposals (or all, newest first): the office sees the tier's, a cadre their own.
    func proposals(includeDecided: Bool, for principal: Principal) async throws -> [Proposal] {
        try principal.require(tier: tier)
        guard principal.role == .cadre || principal.role == .office else { throw APIError.forbiddenRole(principal.role) }
        return try await runtime.database.withConnection { connection in
            try await loadProposals(
                includeDecided: includeDecided, proposedBy: principal.role == .cadre ? principal.subject : nil, id: nil, on: connection)
        }
    }

    func decide(_ id: UUID, _ decision: Decision, by principal: Principal) async throws -> Proposal {
        try principal.require(tier: tier, roles: [.office])
        let note = decision.note.trimmedOrNil
        if !decision.approve, note == nil {
            throw APIError.invalid(code: "MISSING_FIELD", message: "请填写不同意的理由", field: "note")
        }
        try await runtime.transaction { connection in
            try await lockTier(Self.pairingChanges, on: connection)
            guard let proposal = try await loadProposals(includeDecided: true, proposedBy: nil, id: id, on: connection).first else {
                throw APIError.notFound("调整申请")
            }
            guard proposal.state == .proposed else { throw APIError.conflict(code: "ALREADY_DECIDED", message: "该申请已审批") }
            try await connection.execute(
                """
                UPDATE pairing_proposals SET state = \(decision.approve ? "approved" : "refused"), decided_by = \(principal.subject),
                    decided_at = clock_timestamp(), decision_note = \(note)
                WHERE id = \(id)
                """, logger: logger)
            if decision.approve { try await carryOut(proposal, by: principal, on: connection) }
        }
        logger.info("Pairing change decided", metadata: ["proposal": "\(id)", "approved": "\(decision.approve)"])
        return try await proposal(id)
    }

    /// Enterprises taken off the pairing list, which allocations leave out.
    func removedEnterprises(on connection: PostgresConnection) async throws -> Set<String> {
        var removed = Set<String>()
        for try await id in try await connection.query("SELECT enterprise_id FROM pairing_removed", logger: logger).decode(String.self) {
            removed.insert(id)
        }
        return removed
    }

    // MARK: Pieces

    private func carryOut(_ proposal: Proposal, by principal: Principal, on connection: PostgresConnection) async throws {
        guard let enterprise = try await intake.directory.enterprise(proposal.enterpriseID, on: connection) else {
            throw APIError.notFound("企业")
        }
        var newCadre: DirectoryPerson?
        switch proposal.kind {
        case .release:
            break
        case .remove:
            try await connection.execute(
                """
                INSERT INTO pairing_removed (enterprise_id, reason) VALUES (\(enterprise.id), \(proposal.reason))
                ON CONFLICT (enterprise_id) DO UPDATE SET reason = EXCLUDED.reason, removed_at = clock_timestamp()
                """, logger: logger)
        case .reassign:
            guard let cadre = try await intake.directory.person(proposal.toCadreID ?? "", on: connection), cadre.active else {
                throw APIError.conflict(code: "CADRE_GONE", message: "接手的干部已不在职，请重新申请")
            }
            newCadre = cadre
        }
        try await changePairing(of: enterprise, to: newCadre?.id, reason: "\(proposal.kindName)：\(proposal.reason)", by: principal,
            on: connection)
        if let cadre = newCadre {
            let unit = try await cadre.unitID.asyncFlatMap { try await intake.directory.unit($0, on: connection) }
            try await publishPairingEvent(EventType.pairingAssigned, subject: enterprise.id, PairingAssignedEvent(
                tenant: tier, enterpriseID: enterprise.id, enterpriseName: enterprise.name, cadreID: cadre.id, cadreName: cadre.name,
                unitName: unit?.name, cadrePhone: cadre.phone?.digits), on: connection)
        }
    }

    private func proposal(_ id: UUID) async throws -> Proposal {
        let found = try await runtime.database.withConnection { connection in
            try await loadProposals(includeDecided: true, proposedBy: nil, id: id, on: connection).first
        }
        guard let found else { throw APIError.notFound("调整申请") }
        return found
    }

    private func loadProposals(includeDecided: Bool, proposedBy: String?, id: UUID?, on connection: PostgresConnection) async throws
        -> [Proposal]
    {
        let rows = try await connection.query(
            """
            SELECT id, enterprise_id, kind, from_cadre, to_cadre, reason, proposed_by, proposed_at, state, decision_note
            FROM pairing_proposals
            WHERE (\(includeDecided) OR state = 'proposed') AND (\(proposedBy)::text IS NULL OR proposed_by = \(proposedBy))
                AND (\(id)::uuid IS NULL OR id = \(id))
            ORDER BY proposed_at DESC
            LIMIT 200
            """, logger: logger)
        let names = Dictionary(try await intake.directory.enterprises(tenant: tier, on: connection).map { ($0.id, $0.name) }) { a, _ in a }
        let people = Dictionary(try await intake.directory.people(roles: [.cadre, .office], tenant: tier, on: connection).map {
            ($0.id, $0.name)
        }) { a, _ in a }
        var proposals: [Proposal] = []
        for try await (id, enterprise, kind, from, to, reason, proposedBy, proposedAt, state, note) in rows.decode(
            (UUID, String, String, String?, String?, String, String, Date, String, String?).self)
        {
            guard let kind = PairingChangeKind(rawValue: kind), let state = ProposalState(rawValue: state) else { continue }
            proposals.append(Proposal(id: id, enterpriseID: enterprise, enterpriseName: names[enterprise] ?? enterprise, kind: kind,
                kindName: kind.chineseName, fromCadreName: from.map { people[$0] ?? $0 }, toCadreID: to,
                toCadreName: to.map { people[$0] ?? $0 }, reason: reason, proposedBy: people[proposedBy] ?? proposedBy,
                proposedAt: proposedAt, state: state, stateName: state.chineseName, decisionNote: note))
        }
        return proposals
    }
}
