#if !hasFeature(Embedded)
import Synchronization

/// At most `width` pieces of work at a time: an asynchronous counting
/// semaphore whose waiters are served first come, first served, so blocks
/// start in input order.
///
/// An actor rather than a `Mutex`: on Linux a contended `Mutex` hands the
/// lock over inside the kernel (a priority-inheriting futex), an edge
/// ThreadSanitizer cannot see, so every contended critical section would be
/// reported as a race; the concurrency runtime's hand-overs it does see.
@available(macOS 15.0, iOS 18.0, tvOS 18.0, watchOS 11.0, visionOS 2.0, *)
actor WorkerGate {
    private var free: Int
    private var waiters = FIFO<CheckedContinuation<Void, Never>>()

    init(width: Int) {
        free = width
    }

    /// Takes a slot if one is free (and nobody is waiting for one).
    func tryAcquire() -> Bool {
        guard free > 0 && waiters.isEmpty else { return false }
        free -= 1
        return true
    }

    /// Takes a slot, suspending until one is free.
    func acquire() async {
        if tryAcquire() { return }
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            waiters.append(c)
        }
    }

    /// Gives a slot back (to the longest waiter, if any).
    func release() {
        if waiters.isEmpty {
            free += 1
        } else {
            waiters.removeFirst().resume()
        }
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
            flag.done.store(true, ordering: .releasing)
            await gate.release()
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

/// A first-in, first-out queue (amortized O(1) at both ends). A removed
/// element is released at once (its slot is cleared), so a finished block's
/// output is not kept alive by the queue.
struct FIFO<T> {
    private var items: [T?] = []
    private var head = 0

    var isEmpty: Bool { head == items.count }
    var count: Int { items.count - head }
    var first: T? { isEmpty ? nil : items[head] }

    mutating func append(_ x: T) { items.append(x) }

    mutating func removeFirst() -> T {
        let x = items[head].take()!
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
