using System.Reflection;
using FipsCluster.Module.Tests.Harness;
using Xunit;

namespace FipsCluster.Module.Tests;

/// <summary>
/// The dispatcher that carries a core service's writes and ShouldProcess questions to the pipeline thread, taken from
/// the staged module as it loaded (it is internal): when a call on the pipeline thread throws (-WarningAction Stop,
/// a host that cannot prompt), the work must be stopped and waited for, never left running unseen or blocked forever.
/// </summary>
public sealed class PipelineDispatcherTests : IClassFixture<ModuleFixture>
{
    private readonly Type _dispatcher;

    public PipelineDispatcherTests(ModuleFixture module)
    {
        _ = module.Session; // imports the staged module into this process
        _dispatcher = AppDomain.CurrentDomain.GetAssemblies().Single(a => a.GetName().Name == "FipsCluster")
            .GetType("FipsCluster.Infrastructure.PipelineDispatcher", throwOnError: true)!;
    }

    [Fact]
    public void A_write_that_throws_on_the_pipeline_thread_stops_the_work_answers_its_questions_and_waits_for_it()
    {
        var stop = new CancellationTokenSource();
        var dispatcher = Activator.CreateInstance(_dispatcher, new object?[] { (Action)stop.Cancel })!;
        var post = _dispatcher.GetMethod("Post")!;
        var send = _dispatcher.GetMethod("Send")!.MakeGenericMethod(typeof(bool));
        var run = _dispatcher.GetMethod("Run")!.MakeGenericMethod(typeof(int));
        var warning = new InvalidOperationException("WarningAction Stop");
        var lateWrites = 0;
        Exception? askedAfterFault = null;
        var workEnded = false;

        Func<Task<int>> work = async () =>
        {
            post.Invoke(dispatcher, new object[] { (Action)(() => throw warning) });
            // The work goes on until it notices the cancellation, as a provisioning step would.
            await Task.Delay(Timeout.Infinite, stop.Token).ContinueWith(_ => { }, TaskScheduler.Default);
            post.Invoke(dispatcher, new object[] { (Action)(() => lateWrites++) });
            try
            {
                send.Invoke(dispatcher, new object[] { (Func<bool>)(() => true) });
            }
            catch (TargetInvocationException ex)
            {
                askedAfterFault = ex.InnerException;
            }
            await Task.Delay(200);
            workEnded = true;
            return 0;
        };

        var thrown = Assert.Throws<TargetInvocationException>(() => run.Invoke(dispatcher, new object[] { work }));

        Assert.Same(warning, thrown.InnerException);          // the pipeline's own error, as it was
        Assert.True(stop.IsCancellationRequested);             // the work was told to stop
        Assert.True(workEnded, "Run returned while the work was still going on");
        Assert.IsAssignableFrom<OperationCanceledException>(askedAfterFault); // a question after the fault is answered, not left waiting
        Assert.Equal(0, lateWrites);                           // and later writes are dropped
    }

    [Fact]
    public void Without_a_fault_every_write_and_question_runs_on_the_pipeline_thread_in_order()
    {
        var dispatcher = Activator.CreateInstance(_dispatcher, new object?[] { null })!;
        var post = _dispatcher.GetMethod("Post")!;
        var send = _dispatcher.GetMethod("Send")!.MakeGenericMethod(typeof(int));
        var run = _dispatcher.GetMethod("Run")!.MakeGenericMethod(typeof(int));
        var pipelineThread = Environment.CurrentManagedThreadId;
        var seen = new List<(string What, int Thread)>();

        Func<Task<int>> work = async () =>
        {
            await Task.Yield();
            post.Invoke(dispatcher, new object[] { (Action)(() => seen.Add(("write", Environment.CurrentManagedThreadId))) });
            var answer = (int)send.Invoke(dispatcher, new object[] { (Func<int>)(() => { seen.Add(("ask", Environment.CurrentManagedThreadId)); return 42; }) })!;
            return answer;
        };

        Assert.Equal(42, (int)run.Invoke(dispatcher, new object[] { work })!);
        Assert.Equal(new[] { "write", "ask" }, seen.Select(s => s.What));
        Assert.All(seen, s => Assert.Equal(pipelineThread, s.Thread));
    }
}
