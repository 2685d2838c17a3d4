using Tend.Core.Config;
using Tend.Core.Mirror;
using Tend.Core.Retry;
using Tend.Modules.Hooks;
using Tend.Stores.Memory;
using Tend.Testing;
using Xunit;

namespace Tend.Modules.Tests.Hooks;

/// <summary>The loop the Nagios generator and the exec hooks share: a change runs the work, a failure is retried only with a policy, a bug never ends the loop.</summary>
public sealed class ScheduledMirrorWorkerTests
{
    [Fact]
    public async Task Run_WorkThrowsWithRetryPolicy_LoggedRetriedWithoutAChangeAndLoopGoesOn()
    {
        await using var store = new MemoryKvStore();
        await using var mirrors = new KvMirrorSet(store);
        await using var worker = new ProbeWorker(mirrors.Get("/p"), new DoublingBackoff(TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(50)), throwFirst: 2);
        worker.Start();

        await Poll.UntilAsync(() => worker.Runs >= 3, TimeSpan.FromSeconds(30), "the first run and two retries after the work threw");
        Assert.Equal(2, worker.Crashes);

        await store.PutAsync("/p/a", "1");
        await Poll.UntilAsync(() => worker.Runs >= 4, TimeSpan.FromSeconds(30), "a run for the change after the failures");
    }

    [Fact]
    public async Task Run_WorkFailsWithoutRetryPolicy_OnlyTheNextChangeRunsItAgain()
    {
        await using var store = new MemoryKvStore();
        await using var mirrors = new KvMirrorSet(store);
        await using var worker = new ProbeWorker(mirrors.Get("/p"), retry: null, throwFirst: 1);
        worker.Start();
        await Poll.UntilAsync(() => worker.Runs >= 1, TimeSpan.FromSeconds(30), "the first run");

        await Task.Delay(300);
        Assert.Equal(1, worker.Runs);

        await store.PutAsync("/p/a", "1");
        await Poll.UntilAsync(() => worker.Runs >= 2, TimeSpan.FromSeconds(30), "a run for the change");
    }

    private sealed class ProbeWorker(KvMirror mirror, IRetryPolicy? retry, int throwFirst) : ScheduledMirrorWorker(mirror, ChangeWait.None, null)
    {
        private int _runs;
        private int _crashes;

        public int Runs => Volatile.Read(ref _runs);

        public int Crashes => Volatile.Read(ref _crashes);

        protected override IRetryPolicy? RetryPolicy => retry;

        protected override async Task BeforeFirstRunAsync(CancellationToken cancellationToken)
        {
            await Mirror.WhenSynced.WaitAsync(cancellationToken);
            lock (Gate)
            {
                Schedule.RunNow();
            }
        }

        protected override void OnUpdate(KvMirrorUpdate update)
        {
            lock (Gate)
            {
                Schedule.Change(Time.GetUtcNow());
            }

            Wake();
        }

        protected override Task<bool> RunDueAsync(CancellationToken cancellationToken) =>
            Interlocked.Increment(ref _runs) <= throwFirst ? throw new InvalidOperationException("a bug in the work") : Task.FromResult(true);

        protected override void RunFailedUnexpectedly(Exception exception) => Interlocked.Increment(ref _crashes);
    }
}
