#if !hasFeature(Embedded)
import Synchronization

/// At most `width` pieces of work at a time: an asynchronous counting
/// semaphore whose waiters are served first come, first served, so blocks
/// start in input order.
@available(macOS 15.0, iOS 18.0, tvOS 18.0, watchOS 11.0, visionOS 2.0, *)
final class WorkerGate: Sendable {
    private struct State {
        var free: Int
        var waiters: [CheckedContinuation<Void, Never>] = []
        var head = 0
    }
    private let state: Mutex<State>

    init(width: Int) {
        state = Mutex(State(free: width))
    }

    /// Takes a slot if one is free (and nobody is waiting for one).
    func tryAcquire() -> Bool {
        state.withLock { s -> Bool in
            guard s.free > 0 && s.head == s.waiters.count else { return false }
            s.free -= 1
            return true
        }
    }

    /// Takes a slot, suspending until one is free.
    func acquire() async {
        if tryAcquire() { return }
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let now = state.withLock { s -> Bool in
                if s.free > 0 && s.head == s.waiters.count {
                    s.free -= 1
                    return true
                }
                s.waiters.append(c)
                return false
            }
            if now { c.resume() }
        }
    }

    /// Gives a slot back (to the longest waiter, if any).
    func release() {
        let next = state.withLock { s -> CheckedContinuation<Void, Never>? in
            if s.head < s.waiters.count {
                let c = s.waiters[s.head]
                s.head += 1
                if s.head == s.waiters.count {
                    s.waiters.removeAll(keepingCapacity: true)
                    s.head = 0
                }
                return c
            }
            s.free += 1
            return nil
        }
        next?.resume()
    }
}

/// A piece of work running on a task of its own, whose completion can be
/// polled without waiting.
@available(macOS 15.0, iOS 18.0, tvOS 18.0, watchOS 11.0, visionOS 2.0, *)
struct WorkItem<T: Sendable>: Sendable {
    private final class Flag: Sendable {
        let done = Atomic<Bool>(false)
    }
    private let flag: Flag
    private let task: Task<T, Never>

    /// Waits for a slot of `gate`, then runs `work` on a new task, which
    /// gives the slot back when it ends.
    static func start(on gate: WorkerGate, _ work: @escaping @Sendable () -> T) async -> WorkItem<T> {
        await gate.acquire()
        return started(on: gate, work)
    }

    /// Runs `work` on a new task, which gives back the slot of `gate` the
    /// caller has taken when it ends.
    static func started(on gate: WorkerGate, _ work: @escaping @Sendable () -> T) -> WorkItem<T> {
        let flag = Flag()
        let task = Task.detached {
            let result = work()
            gate.release()
            flag.done.store(true, ordering: .releasing)
            return result
        }
        return WorkItem(flag: flag, task: task)
    }

    private init(flag: Flag, task: Task<T, Never>) {
        self.flag = flag
        self.task = task
    }

    /// True once the work has ended (its value is then ready at once).
    var isDone: Bool { flag.done.load(ordering: .acquiring) }

    /// The result, waiting for it if needed.
    var value: T {
        get async { await task.value }
    }
}

/// A first-in, first-out queue (amortized O(1) at both ends).
struct FIFO<T> {
    private var items: [T] = []
    private var head = 0

    var isEmpty: Bool { head == items.count }
    var count: Int { items.count - head }
    var first: T? { isEmpty ? nil : items[head] }

    mutating func append(_ x: T) { items.append(x) }

    mutating func removeFirst() -> T {
        let x = items[head]
        head += 1
        if head == items.count {
            items.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= 64 && head * 2 >= items.count {
            items.removeFirst(head)
            head = 0
        }
        return x
    }
}
#endif
