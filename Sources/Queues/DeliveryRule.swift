/// The one rule for redelivery, shared by every queue: a message about to be delivered more than
/// `maxDeliveries` times goes to the dead letters instead.
public struct DeliveryRule: Sendable, Hashable {
    public enum Decision: Sendable, Hashable {
        /// Deliver it; this is delivery number `delivery` (1 for the first).
        case deliver(delivery: Int)
        /// Dead-letter it: it was delivered `deliveries` times already.
        case deadLetter(reason: String, deliveries: Int)
    }

    public var maxDeliveries: Int

    public init(maxDeliveries: Int) {
        self.maxDeliveries = max(1, maxDeliveries)
    }

    /// What to do with a message that was delivered `previous` times already.
    public func next(afterDeliveries previous: Int) -> Decision {
        let delivery = max(0, previous) + 1
        if delivery > maxDeliveries {
            return .deadLetter(reason: Self.exhaustedReason(deliveries: max(0, previous)), deliveries: max(0, previous))
        }
        return .deliver(delivery: delivery)
    }

    public static func exhaustedReason(deliveries: Int) -> String {
        "delivered \(deliveries) times without success"
    }
}
