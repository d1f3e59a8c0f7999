namespace Fathom.Gateway.Abstractions;

/// <summary>
/// An order gateway's own tasks, run off the caller's thread: one command's REST request, a cancel-all, a query's
/// trades, a clock or metadata refresh. Each task reports what it expects itself (a timeout or a dropped connection as
/// unknown, a refusal as a reject). Anything else, such as a bug or a sink that throws, is kept as
/// <see cref="Fault"/> (the first one). The gateway shows it as its own fault, and the host halts trading with the
/// reason, instead of the task ending unobserved with the command's answer. Exceptions while the gateway stops are its
/// sockets and client going away under the task, and are not faults.
/// </summary>
public sealed class GuardedTasks(Func<bool> stopping)
{
    private Exception? _fault;

    /// <summary>The first unexpected exception of a task, wrapped with what the task was, or null.</summary>
    public Exception? Fault => Volatile.Read(ref _fault);

    /// <summary>Starts <paramref name="work"/> on the thread pool; <paramref name="what"/> names it in the fault ("a cancel-all").</summary>
    public void Run(Func<Task> work, string what) => _ = Task.Run(async () =>
    {
        try
        {
            await work().ConfigureAwait(false);
        }
        catch (Exception) when (stopping())
        {
        }
        catch (Exception ex)
        {
            Interlocked.CompareExchange(ref _fault,
                new InvalidOperationException($"{what} failed unexpectedly: {ex.GetType().Name}: {ex.Message}", ex), null);
        }
    });
}
