using Microsoft.Extensions.Logging;
using Tend.Core.Processes;
using Tend.Core.Retry;
using Tend.Core.Runtime;

namespace Tend.Modules.Render;

// Scheduling: which resources are due, and running their passes — side by side off the
// scheduling loop in watch and interval mode, one after another in onetime mode.
public sealed partial class RenderModule
{
    private readonly CollectionPacer _pacer = new();
    private long _schedulerWaits;

    /// <summary>How many times the scheduling loop has gone to sleep: an idle module sleeps once, not in a loop.</summary>
    internal long SchedulerWaits => Interlocked.Read(ref _schedulerWaits);

    private async Task WatchLoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                List<List<RenderResource>> passes;
                TimeSpan sleep;
                lock (_gate)
                {
                    var now = _time.GetUtcNow();
                    var dueAt = EffectiveDueTimes();

                    // A resource in a running pass waits for it to end (its new changes stay pending); so
                    // do the others sharing its reload command, so that command never runs twice at once.
                    var busy = _resources.Where(r => r.InFlight).Select(r => r.Options.ReloadCommand).OfType<string>().ToHashSet(StringComparer.Ordinal);
                    bool Idle(RenderResource r) => !r.InFlight && (r.Options.ReloadCommand is not { } c || !busy.Contains(c));
                    var due = _resources.Where(r => Idle(r) && dueAt.TryGetValue(r, out var at) && at <= now).ToList();
                    foreach (var r in due)
                    {
                        r.Schedule.Clear();
                        r.InFlight = true;
                    }

                    passes = Passes(due);
                    var next = dueAt.Where(kv => Idle(kv.Key) && !due.Contains(kv.Key)).Select(kv => kv.Value).DefaultIfEmpty(DateTimeOffset.MaxValue).Min();
                    // Capped: a semaphore wait cannot exceed ~24 days, and waking early costs nothing.
                    sleep = next == DateTimeOffset.MaxValue ? Timeout.InfiniteTimeSpan : Min(next - now, TimeSpan.FromHours(1));
                    foreach (var pass in passes)
                    {
                        var task = Task.Run(() => RunPassAsync(pass, cancellationToken), CancellationToken.None);
                        _running.Add(task);
                    }
                }

                if (passes.Count > 0)
                {
                    continue;
                }

                // Nothing pending sleeps until a change wakes the loop (InfiniteTimeSpan is negative: it
                // must not be clamped to zero, which made an idle daemon spin a core).
                Interlocked.Increment(ref _schedulerWaits);
                await _wake.WaitAsync(sleep == Timeout.InfiniteTimeSpan || sleep > TimeSpan.Zero ? sleep : TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            // A stop cancels the renders (they check the token as they go) and waits for the passes
            // to wind down, so no write or reload is left behind half-done.
            Task[] running;
            lock (_gate)
            {
                running = [.. _running];
            }

            await Task.WhenAll(running).ConfigureAwait(false);
        }
    }

    /// <summary>One pass in watch mode, in the background: resources sharing a reload command render together and reload once.</summary>
    private async Task RunPassAsync(List<RenderResource> pass, CancellationToken cancellationToken)
    {
        try
        {
            await ProcessPassAsync(pass, fromMirrors: true, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            // Resources report their own failures; this only guards the loop, which must outlive any bug.
            Log.PassFailed(_logger, ex);
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
        finally
        {
            lock (_gate)
            {
                foreach (var r in pass)
                {
                    r.InFlight = false;
                }

                _running.RemoveAll(t => t.IsCompleted);
            }

            CollectBetweenChanges();
            Wake();
        }
    }

    /// <summary>
    /// After a pass, with its files in place: a young-generation collection now when most of the allocation
    /// budget between collections is spent (<see cref="CollectionPacer"/>), so that the collection a later change
    /// would trigger part-way through its render runs here, between changes. In the NativeAOT binary a collection
    /// stops the process for several milliseconds, and that is what a change caught by one waited
    /// (docs/benchmarks.md, "Put → file: the replaced file held open, collections between changes").
    /// </summary>
    private void CollectBetweenChanges()
    {
        var last = GC.GetGCMemoryInfo(GCKind.Ephemeral);
        if (_pacer.Observe(last.Index, last.GenerationInfo[0].SizeBeforeBytes, GC.GetTotalAllocatedBytes()))
        {
            GC.Collect(0, GCCollectionMode.Forced, blocking: true, compacting: false);
            _pacer.Collected(GC.GetGCMemoryInfo(GCKind.Ephemeral).Index, GC.GetTotalAllocatedBytes());
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    /// <summary>
    /// When each pending resource renders. Resources sharing a reload command render together, when
    /// the last of them is due (each is bounded by its own max wait), so the service reloads once per
    /// burst, after all its files are written.
    /// </summary>
    private Dictionary<RenderResource, DateTimeOffset> EffectiveDueTimes()
    {
        var dueAt = new Dictionary<RenderResource, DateTimeOffset>();
        foreach (var r in _resources)
        {
            if (r.Schedule.DueAt() is { } at)
            {
                dueAt[r] = at;
            }
        }

        foreach (var group in dueAt.Keys.Where(r => r.Options.ReloadCommand is not null).GroupBy(r => r.Options.ReloadCommand, StringComparer.Ordinal).ToList())
        {
            // Only changes set the group's pace: a member merely waiting to retry a failure must
            // not hold the others back, but it joins them when they go first.
            var changed = group.Where(r => r.Schedule.HasChange).ToList();
            if (changed.Count == 0)
            {
                continue;
            }

            var latest = changed.Max(r => dueAt[r]);
            foreach (var r in group)
            {
                dueAt[r] = changed.Contains(r) || dueAt[r] > latest ? latest : dueAt[r];
            }
        }

        return dueAt;
    }

    private async Task PollAsync(TimeSpan interval, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await ProcessAsync(_resources, fromMirrors: false, cancellationToken, concurrent: true).ConfigureAwait(false);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                Log.PassFailed(_logger, ex);
            }

            await Task.Delay(interval, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Renders <paramref name="resources"/>, then runs each distinct reload command of the written
    /// ones once. Onetime runs go one pass after another (their diffs and commands in configuration
    /// order); interval polls run their passes side by side, so one slow template delays no other.
    /// </summary>
    private async Task<bool> ProcessAsync(List<RenderResource> resources, bool fromMirrors, CancellationToken cancellationToken, bool concurrent = false, bool waitForData = false)
    {
        var passes = Passes(resources);
        if (!concurrent || passes.Count == 1)
        {
            bool ok = true;
            foreach (var pass in passes)
            {
                ok &= await ProcessPassAsync(pass, fromMirrors, cancellationToken, waitForData).ConfigureAwait(false);
            }

            return ok;
        }

        var results = await Task.WhenAll(passes.Select(p => Task.Run(() => ProcessPassAsync(p, fromMirrors, cancellationToken), CancellationToken.None))).ConfigureAwait(false);
        return results.All(ok => ok);
    }

    /// <summary>Splits resources into passes: the resources sharing a reload command together (in configuration order), every other resource alone.</summary>
    private static List<List<RenderResource>> Passes(List<RenderResource> resources)
    {
        var passes = new List<List<RenderResource>>();
        var byCommand = new Dictionary<string, List<RenderResource>>(StringComparer.Ordinal);
        foreach (var r in resources)
        {
            if (r.Options.ReloadCommand is not { } command)
            {
                passes.Add([r]);
            }
            else if (byCommand.TryGetValue(command, out var pass))
            {
                pass.Add(r);
            }
            else
            {
                byCommand[command] = pass = [r];
                passes.Add(pass);
            }
        }

        return passes;
    }

    /// <summary>Renders one pass's resources one after another, then runs its reload command once if any of them was written.</summary>
    private async Task<bool> ProcessPassAsync(List<RenderResource> resources, bool fromMirrors, CancellationToken cancellationToken, bool waitForData = false)
    {
        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            bool ok = true;
            string? reload = null;
            var reloadTimeout = TimeSpan.Zero;
            var written = new List<RenderResource>();
            bool anyWritten = false;
            foreach (var r in resources)
            {
                var outcome = await RenderOneAsync(r, fromMirrors, cancellationToken).ConfigureAwait(false);
                while (outcome == Outcome.Waiting && waitForData)
                {
                    // A onetime run waits for the data a consul-template template reads, reading the store
                    // again, until the data comes or the wait times out (then the outcome is a failure).
                    await Task.Delay(WaitingPoll, _time, cancellationToken).ConfigureAwait(false);
                    outcome = await RenderOneAsync(r, fromMirrors, cancellationToken).ConfigureAwait(false);
                }

                ok &= outcome != Outcome.Failed;
                anyWritten |= outcome == Outcome.Written;
                if (fromMirrors)
                {
                    ScheduleRetry(r, outcome);
                }

                if (outcome == Outcome.Written && !_options.SyncOnly && r.Options.ReloadCommand is { } command)
                {
                    var timeout = r.Options.ReloadTimeout ?? _options.ReloadTimeout;
                    reload = command;
                    reloadTimeout = timeout > reloadTimeout ? timeout : reloadTimeout;
                    written.Add(r);
                }
            }

            if (reload is not null)
            {
                ok &= await ReloadAsync(reload, reloadTimeout, written, cancellationToken).ConfigureAwait(false);
            }

            Rendered?.Invoke(anyWritten);
            return ok;
        }
        finally
        {
            _slots.Release();
        }
    }

    /// <summary>
    /// A failed resource is tried again with backoff even when no key changes, so a transient
    /// failure (a check that flaked, a full disk) heals by itself instead of waiting for the
    /// next change; a change still renders at once (within its wait).
    /// </summary>
    private void ScheduleRetry(RenderResource r, Outcome outcome)
    {
        lock (_gate)
        {
            if (outcome == Outcome.Waiting)
            {
                // A change of the keys renders again by itself; this look-again catches what no key
                // change announces: a file that appears, and the end of the wait's time limit.
                var now = _time.GetUtcNow();
                var deadline = r.WaitingSince!.Value + r.MissingDataTimeout;
                var poll = now + WaitingPoll;
                r.Schedule.RetryAt = r.WaitingForFile && poll < deadline ? poll : deadline;
                return;
            }

            if (outcome != Outcome.Failed)
            {
                r.Schedule.Succeeded();
                return;
            }

            // Nothing heals an unreadable or unparsable template but a reload (SIGHUP), which rebuilds the module.
            r.Schedule.Failed(_time.GetUtcNow(), r.Template is BrokenTemplate ? null : new DoublingBackoff(RetryDelay, MaxRetryDelay));
        }
    }

    private async Task<bool> ReloadAsync(string command, TimeSpan timeout, List<RenderResource> forResources, CancellationToken cancellationToken)
    {
        var result = await _runner.RunAsync(new CommandSpec(command, timeout), cancellationToken).ConfigureAwait(false);
        var ids = string.Join(", ", forResources.Select(r => r.Options.Id));
        lock (_gate)
        {
            foreach (var r in forResources)
            {
                r.Status = result.Succeeded
                    ? r.Status with { LastReloadError = null }
                    : r.Status with { ReloadFailures = r.Status.ReloadFailures + 1, LastReloadError = $"reload_cmd failed: {result.Summary}" };
            }
        }

        if (result.Succeeded)
        {
            Log.Reloaded(_logger, command, ids, result.Duration.TotalMilliseconds);
        }
        else
        {
            Log.ReloadFailed(_logger, command, ids, result.Summary);
        }

        return result.Succeeded;
    }
}
