import FaradCore
import FaradStore
import Foundation

/// The cluster and server IDs `/kapacitor/v1/debug/vars` reports (`kapacitor stats general`):
/// made once, kept in the store, the same after every restart, as Kapacitor keeps them.
struct ServerIdentity: Sendable {
    var clusterID: String
    var serverID: String

    static func load(from store: FaradStore) throws(StoreError) -> ServerIdentity {
        if let body = try store.documents(kind: "server").first(where: { $0.id == "identity" })?.body,
           let json = try? JSONValue.parse(body), let cluster = json["cluster_id"]?.stringValue, let server = json["server_id"]?.stringValue {
            return ServerIdentity(clusterID: cluster, serverID: server)
        }
        let identity = ServerIdentity(clusterID: UUID().uuidString.lowercased(), serverID: UUID().uuidString.lowercased())
        let json = JSONValue.object([("cluster_id", .string(identity.clusterID)), ("server_id", .string(identity.serverID))])
        try store.putDocument(kind: "server", id: "identity", body: Array(JSONWriter.text(of: json).utf8))
        return identity
    }
}
