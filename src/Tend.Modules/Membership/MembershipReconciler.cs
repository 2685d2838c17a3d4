using Microsoft.Extensions.Logging;
using Tend.Core.Kv;
using Tend.Modules.Membership.Cluster;
using Tend.Modules.Membership.Inventories;
using Tend.Stores.Etcd;

namespace Tend.Modules.Membership;

/// <summary>
/// One configuration's passes: read the inventory, ask the candidates for the member list, plan, make one change,
/// read again, plan again — until nothing is left to do — then write the environment file when it changed.
/// </summary>
internal sealed partial class MembershipReconciler : IAsyncDisposable
{
    /// <summary>At most this many settle rounds before <c>new</c> is written with the list as it then is.</summary>
    private const int MaxSettleRounds = 12;

    private readonly MembershipOptions _options;
    private readonly IMembershipInventory _inventory;
    private readonly IMembershipCluster _cluster;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly MemberUrls _urls;
    private readonly Lock _gate = new();
    private MembershipStatus _status;
    private IReadOnlyList<string> _loggedWithheld = [];

    public MembershipReconciler(MembershipOptions options, IMembershipInventory inventory, IMembershipCluster cluster, ILogger logger, TimeProvider? time = null)
    {
        _options = options;
        _inventory = inventory;
        _cluster = cluster;
        _logger = logger;
        _time = time ?? TimeProvider.System;
        _urls = MemberUrls.From(options);
        _status = new MembershipStatus { Inventory = inventory.Description, EnvironmentFile = options.EnvironmentFile, ProxyMode = options.ProxyMode };
    }

    public MembershipOptions Options => _options;

    public MembershipStatus Status
    {
        get
        {
            lock (_gate)
            {
                return _status;
            }
        }
    }

    /// <summary>One pass. Never throws for a failure of the inventory, etcd or the file: the result says what happened.</summary>
    public async Task<MembershipPassResult> RunPassAsync(CancellationToken cancellationToken = default)
    {
        MembershipPassResult result;
        string? self = null;
        try
        {
            (result, self) = await PassAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await _cluster.EndPassAsync().ConfigureAwait(false);
        }

        Record(result, self);
        return result;
    }

    public async ValueTask DisposeAsync()
    {
        await _cluster.DisposeAsync().ConfigureAwait(false);
        _inventory.Dispose();
    }

    private async Task<(MembershipPassResult Result, string? Self)> PassAsync(CancellationToken cancellationToken)
    {
        InventorySnapshot inventory;
        try
        {
            inventory = await _inventory.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (MembershipInventoryException ex)
        {
            Log.InventoryFailed(_logger, _inventory.Description, ex.Message);
            return (new MembershipPassResult { Outcome = MembershipOutcome.Failed, InventoryFailed = true, Error = ex.Message }, null);
        }

        var probe = await ProbeAsync(inventory, cancellationToken).ConfigureAwait(false);
        if (probe is null && !_options.ProxyMode && _options.Settle > TimeSpan.Zero)
        {
            // Nobody answers: the cluster is about to be bootstrapped. Wait until the inventory stops changing, so the
            // machines starting together write the same list (a late starter that finds the cluster formed joins it).
            for (int round = 0; round < MaxSettleRounds && probe is null; round++)
            {
                await Task.Delay(_options.Settle, _time, cancellationToken).ConfigureAwait(false);
                InventorySnapshot next;
                try
                {
                    next = await _inventory.ReadAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (MembershipInventoryException ex)
                {
                    Log.InventoryFailed(_logger, _inventory.Description, ex.Message);
                    return (new MembershipPassResult { Outcome = MembershipOutcome.Failed, InventoryFailed = true, Error = ex.Message }, inventory.SelfName);
                }

                bool settled = next.SameCandidates(inventory);
                inventory = next;
                probe = await ProbeAsync(inventory, cancellationToken).ConfigureAwait(false);
                if (settled)
                {
                    break;
                }
            }
        }

        if (probe is null && !_options.ProxyMode && EnvironmentFileWriter.ReadState(_options.EnvironmentFile) == "existing")
        {
            // The file was written when a cluster answered: nobody answering now is an outage (or every member starting at
            // once), not "no cluster". "new" here could bootstrap a second cluster; each member's data directory brings the
            // cluster back with the file as it is.
            var note = $"no member of {inventory.Source} answers; keeping {_options.EnvironmentFile} as it is (state existing)";
            Log.NoAnswerKeptFile(_logger, inventory.Source, _options.EnvironmentFile);
            return (new MembershipPassResult { Outcome = MembershipOutcome.Settled, State = "existing", Self = SelfMembership.Unknown, Withheld = [note], Candidates = inventory.Candidates.Count }, inventory.SelfName);
        }

        return (await ReconcileAsync(inventory, probe, cancellationToken).ConfigureAwait(false), inventory.SelfName);
    }

    private async Task<MembershipPassResult> ReconcileAsync(InventorySnapshot inventory, Probe? probe, CancellationToken cancellationToken)
    {
        var refused = new HashSet<ulong>();
        var attempted = new HashSet<(ReconcileActionKind, ulong, string)>();
        var extraWithheld = new List<string>();
        int removed = 0, added = 0, promoted = 0;
        string? error = null;
        var view = probe?.View;
        ReconcilePlan plan = Plan(inventory, view, refused);
        while (plan.Next is { } action && error is null)
        {
            if (!attempted.Add((action.Kind, action.MemberId, action.MemberName)))
            {
                error = $"{Verb(action)} {action.MemberName} was planned again after it was made; stopping this pass (the member list did not change as expected)";
                break;
            }

            try
            {
                switch (action.Kind)
                {
                    case ReconcileActionKind.Remove:
                        if (await RemoveAsync(probe!.Url, action, cancellationToken).ConfigureAwait(false))
                        {
                            removed++;
                        }

                        break;
                    case ReconcileActionKind.Add:
                        var member = await _cluster.AddAsync(probe!.Url, action.PeerUrls, action.AsLearner, cancellationToken).ConfigureAwait(false);
                        added++;
                        Log.Added(_logger, action.MemberName, string.Join(',', action.PeerUrls), member.IsLearner ? "a learner" : "a voting member", member.Id, action.Reason);
                        break;
                    case ReconcileActionKind.Promote:
                        if (await PromoteAsync(probe!.Url, action, refused, extraWithheld, cancellationToken).ConfigureAwait(false))
                        {
                            promoted++;
                        }

                        break;
                }
            }
            catch (KvStoreException ex) when (IsRefusedForNow(ex))
            {
                // etcd's own reconfiguration checks: one learner at a time (3.4), every voter connected for the last 5 s,
                // enough started members. Nothing changed; the next pass tries again.
                extraWithheld.Add($"{Verb(action)} {action.MemberName} waits: etcd refused it for now ({ServerMessage(ex)})");
                Log.ChangeWaits(_logger, Verb(action), action.MemberName, ServerMessage(ex));
                break;
            }
            catch (EtcdServerException ex) when (action.Kind == ReconcileActionKind.Add && ex.ServerMessage.Contains("already exists", StringComparison.OrdinalIgnoreCase))
            {
                // An earlier add that timed out may have been applied after all: read the list and let the plan decide.
                Log.AddRaced(_logger, action.MemberName, ex.ServerMessage);
            }
            catch (Exception ex) when (ex is KvStoreException or TimeoutException)
            {
                error = $"{Verb(action)} {action.MemberName} failed: {ex.Message}";
                Log.ChangeFailed(_logger, Verb(action), action.MemberName, ex.Message);
                break;
            }

            try
            {
                var members = await _cluster.MembersAsync(probe!.Url, cancellationToken).ConfigureAwait(false);
                view = new ClusterView(members, await _cluster.HealthyAsync(members, cancellationToken).ConfigureAwait(false));
            }
            catch (Exception ex) when (ex is KvStoreException or TimeoutException)
            {
                error = $"reading the member list from {probe!.Url} after the change failed: {ex.Message}";
                Log.ChangeFailed(_logger, "reading the member list after", action.MemberName, ex.Message);
                break;
            }

            plan = Plan(inventory, view, refused);
        }

        bool written = false;
        if (plan.Environment is { } environment)
        {
            try
            {
                written = EnvironmentFileWriter.Write(_options.EnvironmentFile, environment, _options.FileMode);
                if (written)
                {
                    Log.FileWritten(_logger, _options.EnvironmentFile, environment.State, environment.InitialCluster.Count);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
            {
                error ??= $"cannot write {_options.EnvironmentFile}: {ex.Message}";
                Log.FileFailed(_logger, _options.EnvironmentFile, ex.Message);
            }
        }

        var withheld = plan.Withheld.Concat(extraWithheld).ToList();
        LogWithheld(withheld);
        var outcome = error is not null ? MembershipOutcome.Failed
            : plan.Environment is not null && plan.Self is SelfMembership.Voter or SelfMembership.Bootstrapping or SelfMembership.Proxy ? MembershipOutcome.Settled
            : MembershipOutcome.Pending;
        return new MembershipPassResult
        {
            Outcome = outcome,
            State = plan.State,
            Self = plan.Self,
            Error = error,
            Withheld = withheld,
            Candidates = inventory.Candidates.Count,
            Members = view?.Members.Count ?? 0,
            Learners = view?.Members.Count(m => m.IsLearner) ?? 0,
            Healthy = view?.Healthy.Count ?? 0,
            Removed = removed,
            Added = added,
            Promoted = promoted,
            EnvironmentWritten = written,
        };
    }

    private ReconcilePlan Plan(InventorySnapshot inventory, ClusterView? view, HashSet<ulong> refused) => ReconcilePlanner.Plan(new ReconcileInput
    {
        Urls = _urls,
        Inventory = inventory,
        Cluster = view,
        ProxyMode = _options.ProxyMode,
        Learner = _options.Learner,
        PromotionRefused = refused,
    });

    private async Task<bool> RemoveAsync(string url, ReconcileAction action, CancellationToken cancellationToken)
    {
        try
        {
            await _cluster.RemoveAsync(url, action.MemberId, cancellationToken).ConfigureAwait(false);
            Log.Removed(_logger, action.MemberName, action.MemberId, action.Reason);
            return true;
        }
        catch (EtcdServerException ex) when (ex.ServerMessage.Contains("member not found", StringComparison.OrdinalIgnoreCase))
        {
            // Another machine's pass removed it first.
            Log.AlreadyRemoved(_logger, action.MemberName, action.MemberId);
            return false;
        }
    }

    private async Task<bool> PromoteAsync(string url, ReconcileAction action, HashSet<ulong> refused, List<string> withheld, CancellationToken cancellationToken)
    {
        try
        {
            await _cluster.PromoteAsync(url, action.MemberId, cancellationToken).ConfigureAwait(false);
            Log.Promoted(_logger, action.MemberName, action.MemberId);
            return true;
        }
        catch (EtcdServerException ex) when (ex.Code == 9)
        {
            // FailedPrecondition: the learner has not caught up with the leader yet.
            refused.Add(action.MemberId);
            withheld.Add($"learner {action.MemberName} is catching up; it is promoted once etcd accepts ({ex.ServerMessage})");
            Log.PromotionWaits(_logger, action.MemberName, ex.ServerMessage);
            return false;
        }
        catch (EtcdServerException ex) when (ex.Code == 12)
        {
            refused.Add(action.MemberId);
            withheld.Add($"learner {action.MemberName} cannot be promoted: the server has no MemberPromote (etcd older than 3.4)");
            return false;
        }
        catch (EtcdServerException ex) when (ex.ServerMessage.Contains("not a learner", StringComparison.OrdinalIgnoreCase) || ex.ServerMessage.Contains("member not found", StringComparison.OrdinalIgnoreCase))
        {
            // Another machine's pass promoted (or removed) it first.
            return false;
        }
    }

    /// <summary>Asks every candidate for the member list; null when none answers.</summary>
    private async Task<Probe?> ProbeAsync(InventorySnapshot inventory, CancellationToken cancellationToken)
    {
        var urls = inventory.Candidates.Where(c => c.Host is not null).Select(_urls.Client).ToList();
        if (urls.Count == 0)
        {
            return null;
        }

        var answers = await _cluster.ListAsync(urls, cancellationToken).ConfigureAwait(false);
        var answered = answers.Where(a => a.Members is not null).ToList();
        if (answered.Count == 0)
        {
            Log.NoAnswer(_logger, urls.Count, string.Join("; ", answers.Select(a => a.Error)));
            return null;
        }

        var members = answered[0].Members!;
        if (_options.ProxyMode)
        {
            return new Probe(answered[0].ClientUrl, new ClusterView(members, new HashSet<ulong>()));
        }

        var healthy = await _cluster.HealthyAsync(members, cancellationToken).ConfigureAwait(false);

        // Changes go through a member that answered and is healthy (it reaches the leader, so its list is current).
        var through = answered.FirstOrDefault(a => members.Any(m => healthy.Contains(m.Id) && m.ClientUrls.Any(u => MemberUrls.Same(u, a.ClientUrl)))) ?? answered[0];
        if (!ReferenceEquals(through, answered[0]))
        {
            members = through.Members!;
            healthy = await _cluster.HealthyAsync(members, cancellationToken).ConfigureAwait(false);
        }

        return new Probe(through.ClientUrl, new ClusterView(members, healthy));
    }

    private void LogWithheld(List<string> withheld)
    {
        // Said once when it starts (or changes), not every interval: /status shows it meanwhile.
        if (!withheld.SequenceEqual(_loggedWithheld))
        {
            foreach (var w in withheld.Except(_loggedWithheld))
            {
                Log.Withheld(_logger, w);
            }

            _loggedWithheld = withheld;
        }
    }

    private void Record(MembershipPassResult result, string? self)
    {
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            var s = _status;
            _status = s with
            {
                Self = self ?? s.Self,
                State = result.State ?? s.State,
                SelfMembership = result.InventoryFailed ? s.SelfMembership : result.Self,
                Candidates = result.InventoryFailed ? s.Candidates : result.Candidates,
                Members = result.InventoryFailed ? s.Members : result.Members,
                Learners = result.InventoryFailed ? s.Learners : result.Learners,
                Healthy = result.InventoryFailed ? s.Healthy : result.Healthy,
                Withheld = result.Withheld,
                LastPass = now,
                LastError = result.Error,
                Passes = s.Passes + 1,
                Failures = s.Failures + (result.Outcome == MembershipOutcome.Failed ? 1 : 0),
                Removals = s.Removals + result.Removed,
                Additions = s.Additions + result.Added,
                Promotions = s.Promotions + result.Promoted,
                EnvironmentWrites = s.EnvironmentWrites + (result.EnvironmentWritten ? 1 : 0),
                LastEnvironmentWrite = result.EnvironmentWritten ? now : s.LastEnvironmentWrite,
            };
        }
    }

    private static bool IsRefusedForNow(KvStoreException ex)
    {
        var message = ServerMessage(ex);
        return message.Contains("too many learner", StringComparison.OrdinalIgnoreCase)
            || message.Contains("unhealthy cluster", StringComparison.OrdinalIgnoreCase)
            || message.Contains("not enough started members", StringComparison.OrdinalIgnoreCase);
    }

    private static string ServerMessage(KvStoreException ex) => ex is EtcdServerException { ServerMessage.Length: > 0 } server ? server.ServerMessage : ex.Message;

    private static string Verb(ReconcileAction action) => action.Kind switch
    {
        ReconcileActionKind.Remove => "removing",
        ReconcileActionKind.Add => "adding",
        _ => "promoting",
    };

    private sealed record Probe(string Url, ClusterView View);
}
