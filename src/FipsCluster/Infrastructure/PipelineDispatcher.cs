using System.Collections.Concurrent;

namespace FipsCluster.Infrastructure;

/// <summary>
/// Core services run on worker threads, but a cmdlet may only write to its streams, and ask ShouldProcess,
/// from the pipeline thread. The dispatcher queues those calls and runs them on the pipeline thread while
/// it waits for the work to finish.
/// </summary>
/// <remarks>
/// A call on the pipeline thread may throw (-WarningAction Stop, a host that cannot prompt, a downstream command's
/// error): the work is then cancelled through <c>onFault</c>, later writes are dropped, later questions are answered
/// with cancellation, and <see cref="Run{T}"/> returns only once the work has ended (rolled back or finished), rethrowing
/// the pipeline's exception. Without that the command would return while the work went on unseen, or a question asked
/// after the fault would block its worker forever.
/// </remarks>
internal sealed class PipelineDispatcher(Action? onFault = null)
{
    private readonly BlockingCollection<Action> _queue = new();
    private readonly int _pipelineThread = Environment.CurrentManagedThreadId;
    private volatile bool _faulted;

    private bool OnPipelineThread => Environment.CurrentManagedThreadId == _pipelineThread;

    /// <summary>Runs <paramref name="action"/> on the pipeline thread, without waiting for it.</summary>
    public void Post(Action action)
    {
        if (OnPipelineThread)
        {
            action();
        }
        else if (!_faulted && !_queue.IsAddingCompleted)
        {
            _queue.TryAdd(() =>
            {
                if (!_faulted)
                {
                    action();
                }
            });
        }
    }

    /// <summary>Runs <paramref name="func"/> on the pipeline thread and waits for its answer.</summary>
    public T Send<T>(Func<T> func)
    {
        if (OnPipelineThread)
        {
            return func();
        }
        var answer = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        void Ask()
        {
            if (_faulted)
            {
                answer.TrySetCanceled();
                return;
            }
            try
            {
                answer.SetResult(func());
            }
            catch (Exception ex)
            {
                answer.SetException(ex);
            }
        }
        if (_faulted || !_queue.TryAdd(Ask))
        {
            throw new OperationCanceledException("The command stopped before this question could be asked.");
        }
        return answer.Task.GetAwaiter().GetResult();
    }

    /// <summary>Pumps queued calls on the pipeline thread until <paramref name="work"/> completes, then returns its result.</summary>
    public T Run<T>(Func<Task<T>> work)
    {
        var task = Task.Run(work);
        task.ContinueWith(_ => _queue.CompleteAdding(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        Exception? fault = null;
        foreach (var action in _queue.GetConsumingEnumerable())
        {
            try
            {
                action();
            }
            catch (Exception ex)
            {
                // Remember the first failure, stop the work, and keep draining so every waiting question is answered.
                if (fault is null)
                {
                    fault = ex;
                    _faulted = true;
                    onFault?.Invoke();
                }
            }
        }
        if (fault is not null)
        {
            // The work has ended (the queue completes with it); its own outcome is secondary to the pipeline's error.
            _ = task.Exception;
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(fault).Throw();
        }
        return task.GetAwaiter().GetResult();
    }
}
