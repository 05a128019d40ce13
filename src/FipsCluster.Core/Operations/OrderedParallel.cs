using System.Runtime.ExceptionServices;

namespace FipsCluster.Core.Operations;

/// <summary>
/// Applies a function to a sequence on up to N threads and yields the results in the sequence's order. The thread
/// that enumerates is one of the N: when the next result is not ready it takes the next item itself instead of
/// waiting, so with N = 1 everything runs on the caller's thread, and with more no result is handed over per item.
/// Other threads run at most a window of items ahead of the one the caller is on. Stopping the enumeration early
/// lets the items already started finish and starts no more.
/// </summary>
internal static class OrderedParallel
{
    public static IEnumerable<TResult> Select<TItem, TResult>(IEnumerable<TItem> source, Func<TItem, TResult> work, int threads, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(work);
        return Enumerate(source, work, Math.Max(1, threads), ct);
    }

    private static IEnumerable<TResult> Enumerate<TItem, TResult>(IEnumerable<TItem> source, Func<TItem, TResult> work, int threads, CancellationToken ct)
    {
        using var run = new Run<TItem, TResult>(source, work, threads, ct);
        while (run.TryTakeNext(out var result))
        {
            yield return result;
        }
    }

    private sealed class Run<TItem, TResult> : IDisposable
    {
        private readonly object _gate = new();
        private readonly IEnumerator<TItem> _source;
        private readonly Func<TItem, TResult> _work;
        private readonly CancellationToken _ct;
        private readonly Slot[] _slots; // index % window: claimed items stay within a window of the next one taken
        private readonly List<Task> _helpers = new();
        private int _claimed; // items taken from the source
        private int _taken; // results handed to the caller
        private bool _sourceDone;
        private bool _stopped;

        public Run(IEnumerable<TItem> source, Func<TItem, TResult> work, int threads, CancellationToken ct)
        {
            _source = source.GetEnumerator();
            _work = work;
            _ct = ct;
            _slots = new Slot[threads * 4];
            // Created when the enumeration starts: the other threads begin with it.
            for (var i = 1; i < threads; i++)
            {
                _helpers.Add(Task.Run(Help, CancellationToken.None));
            }
        }

        private struct Slot
        {
            public bool Done;
            public TResult Result;
            public ExceptionDispatchInfo? Error;
        }

        public bool TryTakeNext(out TResult result)
        {
            while (true)
            {
                lock (_gate)
                {
                    ref var next = ref _slots[_taken % _slots.Length];
                    if (_taken < _claimed && next.Done)
                    {
                        result = next.Result;
                        var error = next.Error;
                        next = default;
                        _taken++;
                        Monitor.PulseAll(_gate); // the window moved on
                        error?.Throw();
                        return true;
                    }
                    if (_taken == _claimed && (_sourceDone || _stopped))
                    {
                        result = default!;
                        return false;
                    }
                }
                // Not ready: do the next item here rather than wait, if the window has room; else wait for the result.
                if (!WorkOne())
                {
                    lock (_gate)
                    {
                        if (!_slots[_taken % _slots.Length].Done && _taken < _claimed)
                        {
                            Monitor.Wait(_gate);
                        }
                    }
                }
            }
        }

        /// <summary>Another thread's share: items until the source is done or the run stopped, waiting while the window is full.</summary>
        private void Help()
        {
            while (true)
            {
                if (WorkOne())
                {
                    continue;
                }
                lock (_gate)
                {
                    if (_sourceDone || _stopped)
                    {
                        return;
                    }
                    if (_claimed - _taken >= _slots.Length)
                    {
                        Monitor.Wait(_gate);
                    }
                }
            }
        }

        /// <summary>Claims the next item and does it; false when there is none (source done, run stopped or window full).</summary>
        private bool WorkOne()
        {
            int index;
            TItem item;
            lock (_gate)
            {
                if (_sourceDone || _stopped || _claimed - _taken >= _slots.Length)
                {
                    return false;
                }
                try
                {
                    _ct.ThrowIfCancellationRequested();
                    if (!_source.MoveNext())
                    {
                        _sourceDone = true;
                        Monitor.PulseAll(_gate);
                        return false;
                    }
                    item = _source.Current;
                }
                catch (Exception ex)
                {
                    // The listing failed (or the run was cancelled): that is the next result, and nothing is claimed after it.
                    _slots[_claimed % _slots.Length] = new Slot { Done = true, Error = ExceptionDispatchInfo.Capture(ex) };
                    _claimed++;
                    _sourceDone = true;
                    Monitor.PulseAll(_gate);
                    return true;
                }
                index = _claimed++;
            }
            var slot = new Slot { Done = true };
            try
            {
                slot.Result = _work(item);
            }
            catch (Exception ex)
            {
                slot.Error = ExceptionDispatchInfo.Capture(ex);
            }
            lock (_gate)
            {
                _slots[index % _slots.Length] = slot;
                Monitor.PulseAll(_gate);
            }
            return true;
        }

        public void Dispose()
        {
            lock (_gate)
            {
                _stopped = true;
                Monitor.PulseAll(_gate);
            }
            // The items already started finish (their results are dropped); nothing new starts.
            Task.WaitAll(_helpers.ToArray());
            lock (_gate)
            {
                _source.Dispose();
            }
        }
    }
}
