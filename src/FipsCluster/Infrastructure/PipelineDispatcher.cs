using System.Collections.Concurrent;

namespace FipsCluster.Infrastructure;

/// <summary>
/// Core services run on worker threads, but a cmdlet may only write to its streams, and ask ShouldProcess,
/// from the pipeline thread. The dispatcher queues those calls and runs them on the pipeline thread while
/// it waits for the work to finish.
/// </summary>
internal sealed class PipelineDispatcher
{
    private readonly BlockingCollection<Action> _queue = new();
    private readonly int _pipelineThread = Environment.CurrentManagedThreadId;

    private bool OnPipelineThread => Environment.CurrentManagedThreadId == _pipelineThread;

    /// <summary>Runs <paramref name="action"/> on the pipeline thread, without waiting for it.</summary>
    public void Post(Action action)
    {
        if (OnPipelineThread)
        {
            action();
        }
        else if (!_queue.IsAddingCompleted)
        {
            _queue.TryAdd(action);
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
        _queue.Add(() =>
        {
            try
            {
                answer.SetResult(func());
            }
            catch (Exception ex)
            {
                answer.SetException(ex);
            }
        });
        return answer.Task.GetAwaiter().GetResult();
    }

    /// <summary>Pumps queued calls on the pipeline thread until <paramref name="work"/> completes, then returns its result.</summary>
    public T Run<T>(Func<Task<T>> work)
    {
        var task = Task.Run(work);
        task.ContinueWith(_ => _queue.CompleteAdding(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        foreach (var action in _queue.GetConsumingEnumerable())
        {
            action();
        }
        return task.GetAwaiter().GetResult();
    }
}
