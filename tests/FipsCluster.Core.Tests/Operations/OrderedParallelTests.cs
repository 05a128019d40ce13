using System.Collections.Concurrent;
using FipsCluster.Core.Operations;
using Xunit;

namespace FipsCluster.Core.Tests.Operations;

/// <summary>The ordered parallel run behind Test-FipsBinary on directories: order, threads, window, early stop, errors.</summary>
public sealed class OrderedParallelTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(5)]
    public void Results_come_in_the_source_s_order_whatever_order_they_finish_in(int threads)
    {
        var delays = new[] { 30, 0, 5, 0, 20, 1, 0, 0, 12, 3, 0, 7, 0, 0, 25, 0 };
        var results = OrderedParallel.Select(Enumerable.Range(0, 64), i =>
        {
            Thread.Sleep(delays[i % delays.Length]);
            return i * 10;
        }, threads, default).ToList();
        Assert.Equal(Enumerable.Range(0, 64).Select(i => i * 10), results);
    }

    [Fact]
    public void One_thread_is_the_caller_s_own()
    {
        var caller = Environment.CurrentManagedThreadId;
        var threads = OrderedParallel.Select(Enumerable.Range(0, 20), _ => Environment.CurrentManagedThreadId, 1, default).Distinct().ToList();
        Assert.Equal(new[] { caller }, threads);
    }

    [Fact]
    public void The_caller_works_too_and_no_more_threads_than_asked_run_at_once()
    {
        var caller = Environment.CurrentManagedThreadId;
        var running = 0;
        var most = 0;
        var used = new ConcurrentDictionary<int, int>();
        using var otherThreadWorked = new ManualResetEventSlim();
        OrderedParallel.Select(Enumerable.Range(0, 200), i =>
        {
            var now = Interlocked.Increment(ref running);
            InterlockedMax(ref most, now);
            used.AddOrUpdate(Environment.CurrentManagedThreadId, 1, (_, n) => n + 1);
            if (Environment.CurrentManagedThreadId != caller)
            {
                otherThreadWorked.Set();
            }
            if (i == 0)
            {
                // The caller takes the first item itself; holding it until another thread has worked makes the test
                // independent of how soon a busy thread pool starts the others.
                otherThreadWorked.Wait(TimeSpan.FromSeconds(30));
            }
            Thread.Sleep(i % 3);
            Interlocked.Decrement(ref running);
            return i;
        }, 3, default).ToList();
        Assert.True(most <= 3, $"{most} ran at once");
        Assert.True(used.ContainsKey(caller), "the enumerating thread judged nothing");
        Assert.True(used.Count >= 2, "only one thread worked");
    }

    [Fact]
    public async Task Other_threads_stay_within_the_window_and_an_early_stop_starts_nothing_more()
    {
        var started = new ConcurrentBag<int>();
        using var firstTaken = new ManualResetEventSlim();
        var results = OrderedParallel.Select(Enumerable.Range(0, 1000), i =>
        {
            started.Add(i);
            if (i == 0)
            {
                firstTaken.Wait(TimeSpan.FromSeconds(5)); // hold the first item: the others run ahead as far as the window lets them
            }
            return i;
        }, 2, default);
        using (var e = results.GetEnumerator())
        {
            var first = Task.Run(() => { e.MoveNext(); return e.Current; });
            await Task.Delay(200);
            Assert.True(started.Count <= 2 * 4, $"{started.Count} items started ahead of the first result (window 8)");
            firstTaken.Set();
            Assert.Equal(0, await first);
            Assert.True(e.MoveNext());
        }
        var afterStop = started.Count;
        await Task.Delay(100);
        Assert.Equal(afterStop, started.Count); // disposed: what had started finished, nothing new started
        Assert.True(afterStop < 20, $"{afterStop} items started for two results");
    }

    [Fact]
    public void A_failure_surfaces_at_its_place_after_the_results_before_it()
    {
        var seen = new List<int>();
        var failure = Assert.Throws<InvalidOperationException>(() =>
        {
            foreach (var r in OrderedParallel.Select(Enumerable.Range(0, 50), i => i == 17 ? throw new InvalidOperationException("item 17") : i, 4, default))
            {
                seen.Add(r);
            }
        });
        Assert.Equal("item 17", failure.Message);
        Assert.Equal(Enumerable.Range(0, 17), seen);
    }

    [Fact]
    public void A_failing_source_is_a_failure_at_its_place()
    {
        static IEnumerable<int> Source()
        {
            yield return 1;
            yield return 2;
            throw new IOException("listing broke");
        }
        var seen = new List<int>();
        Assert.Throws<IOException>(() =>
        {
            foreach (var r in OrderedParallel.Select(Source(), i => i, 2, default))
            {
                seen.Add(r);
            }
        });
        Assert.Equal(new[] { 1, 2 }, seen);
    }

    [Fact]
    public void Cancellation_stops_the_run()
    {
        using var cts = new CancellationTokenSource();
        var count = 0;
        Assert.ThrowsAny<OperationCanceledException>(() =>
        {
            foreach (var _ in OrderedParallel.Select(Enumerable.Range(0, 100_000), i => i, 2, cts.Token))
            {
                if (++count == 10)
                {
                    cts.Cancel();
                }
            }
        });
        Assert.True(count < 100, $"{count} results after cancelling at 10");
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
