import FaradMQTT
import FaradSystem
import FaradTestSupport
import Testing

/// The MQTT client against a real mosquitto: delivery with QoS 1, a broker that is down when
/// the client starts, and a broker restarted between two messages.
@Suite(.serialized) struct MQTTClientTests {
    @Test func deliversAndSurvivesABrokerRestart() async throws {
        let broker = try await MosquittoProcess()
        defer { broker.stop() }
        try await broker.subscribe("alerts/#")
        let client = try MQTTClient(.init(name: "test", host: "127.0.0.1", port: broker.port))
        try client.start()
        defer { client.stop() }
        try client.publish(topic: "alerts/a", payload: Array("first".utf8), qos: 1, retained: false, timeout: .seconds(20))
        #expect(await eventually { broker.messages == ["first"] })
        // The broker goes away; the client reconnects (back-off) once it is back.
        broker.stopBroker()
        try await broker.startBroker()
        try await broker.subscribe("alerts/#")
        try client.publish(topic: "alerts/b", payload: Array("second".utf8), qos: 1, retained: false, timeout: .seconds(60))
        #expect(await eventually { broker.messages == ["second"] })
    }

    @Test func aBrokerThatNeverAnswersIsATimeoutNotAHang() throws {
        let port = try MosquittoProcess.freePort()
        let client = try MQTTClient(.init(name: "nobody", host: "127.0.0.1", port: port))
        try client.start()
        defer { client.stop() }
        #expect(throws: SystemError.self) {
            try client.publish(topic: "t", payload: [1], qos: 1, retained: false, timeout: .milliseconds(300))
        }
    }

    @Test func brokerURLs() {
        #expect(MQTTClient.Configuration.address("tcp://localhost:1883")! == ("localhost", 1883))
        #expect(MQTTClient.Configuration.address("ia-mqtt-broker")! == ("ia-mqtt-broker", 1883))
        #expect(MQTTClient.Configuration.address("tcp://") == nil)
    }
}
