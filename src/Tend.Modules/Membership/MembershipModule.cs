using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Tend.Core.Config;
using Tend.Modules.Membership.Cluster;
using Tend.Modules.Membership.Inventories;
using Tend.Stores.Dns;

namespace Tend.Modules.Membership;

/// <summary>
/// The membership module (etcd-discovery): keeps an etcd cluster's members in step with an inventory (an AWS
/// auto-scaling group, a static list, DNS SRV records) and writes the environment file etcd starts from. Its
/// surface is small on purpose: <see cref="Validate"/>, <see cref="ApplyAsync"/> (start, or swap the settings;
/// a pass every <see cref="MembershipOptions.Interval"/>), <see cref="Status"/>, dispose — and
/// <see cref="RunPassAsync"/> for the one-shot command line.
/// </summary>
public sealed partial class MembershipModule : IAsyncDisposable
{
    private static readonly TimeSpan PendingRetry = TimeSpan.FromSeconds(5);

    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Func<MembershipOptions, IMembershipInventory> _inventories;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private MembershipReconciler? _reconciler;
    private CancellationTokenSource? _loopStop;
    private Task? _loop;

    /// <summary>Creates the module; nothing runs until <see cref="ApplyAsync"/> or <see cref="RunPassAsync"/>.</summary>
    public MembershipModule(ILoggerFactory? loggers = null, TimeProvider? time = null)
        : this(loggers, time, null)
    {
    }

    /// <summary>Test seam: inventories come from <paramref name="inventories"/> (a metadata/EC2 double, a scripted DNS).</summary>
    internal MembershipModule(ILoggerFactory? loggers, TimeProvider? time, Func<MembershipOptions, IMembershipInventory>? inventories)
    {
        _loggers = loggers ?? NullLoggerFactory.Instance;
        _logger = _loggers.CreateLogger<MembershipModule>();
        _time = time ?? TimeProvider.System;
        _inventories = inventories ?? CreateInventory;
    }

    /// <summary>The state of the running configuration, or <c>null</c> before the first <see cref="ApplyAsync"/>.</summary>
    public MembershipStatus? Status => Volatile.Read(ref _reconciler)?.Status;

    /// <summary>Checks <paramref name="options"/> for what a reader or command line may have let through.</summary>
    /// <exception cref="ConfigException">The settings cannot work; the message says which and why.</exception>
    public static void Validate(MembershipOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.EnvironmentFile))
        {
            throw new ConfigException("membership: the environment file is not set (-environment-file, [membership] environment_file)");
        }

        foreach (var (what, scheme) in new[] { ("client", options.ClientScheme), ("peer", options.PeerScheme) })
        {
            if (scheme is not ("http" or "https"))
            {
                throw new ConfigException($"membership: the {what} scheme '{scheme}' is not http or https");
            }
        }

        foreach (var (what, port) in new[] { ("client", options.ClientPort), ("peer", options.PeerPort) })
        {
            if (port is < 1 or > 65535)
            {
                throw new ConfigException($"membership: the {what} port {port} is not between 1 and 65535");
            }
        }

        if (options.Interval <= TimeSpan.Zero || options.Timeout <= TimeSpan.Zero || options.Settle < TimeSpan.Zero)
        {
            throw new ConfigException("membership: interval and timeout must be positive, settle zero or more");
        }

        switch (options.Inventory)
        {
            case MembershipInventoryKind.Aws when options.ProxyMode && string.IsNullOrWhiteSpace(options.ScalingGroupName):
                // A consumer is not in the etcd group, so its own group would be the wrong one.
                throw new ConfigException("membership: proxy mode needs the etcd members' auto-scaling group (-scaling-group-name, [membership] scaling_group_name)");
            case MembershipInventoryKind.Static when options.Members.Count == 0:
                throw new ConfigException("membership: the static inventory needs members = [\"name=host\", ...]");
            case MembershipInventoryKind.Static:
                var duplicate = options.Members.GroupBy(m => m.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
                if (duplicate is not null)
                {
                    throw new ConfigException($"membership: the static member {duplicate.Key} is listed twice");
                }

                break;
            case MembershipInventoryKind.Dns when string.IsNullOrWhiteSpace(options.Domain):
                throw new ConfigException("membership: the dns inventory needs domain = \"example.com\" (its _etcd-server(-ssl)._tcp SRV records list the members)");
        }
    }

    /// <summary>Starts passes with <paramref name="options"/>, or switches a running module to them (unchanged settings change nothing).</summary>
    public async Task ApplyAsync(MembershipOptions options, CancellationToken cancellationToken = default)
    {
        Validate(options);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_reconciler is not null && _loop is not null && Same(_reconciler.Options, options))
            {
                return;
            }

            await StopAsync().ConfigureAwait(false);
            var reconciler = await ReplaceAsync(options).ConfigureAwait(false);
            _loopStop = new CancellationTokenSource();
            _loop = LoopAsync(reconciler, _loopStop.Token);
            Log.Started(_logger, reconciler.Status.Inventory, options.EnvironmentFile, options.Interval.TotalSeconds);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>One pass with <paramref name="options"/> (the command line); repeated calls with the same settings reuse the connections.</summary>
    public async Task<MembershipPassResult> RunPassAsync(MembershipOptions options, CancellationToken cancellationToken = default)
    {
        Validate(options);
        MembershipReconciler reconciler;
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_loop is not null)
            {
                throw new InvalidOperationException("The module is running passes on its own; RunPassAsync is for one-shot use.");
            }

            reconciler = _reconciler is not null && Same(_reconciler.Options, options) ? _reconciler : await ReplaceAsync(options).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }

        return await reconciler.RunPassAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            await StopAsync().ConfigureAwait(false);
            if (_reconciler is not null)
            {
                await _reconciler.DisposeAsync().ConfigureAwait(false);
                _reconciler = null;
            }
        }
        finally
        {
            _gate.Release();
        }

        _gate.Dispose();
    }

    private static bool Same(MembershipOptions a, MembershipOptions b) =>
        a with { Members = [] } == b with { Members = [] } && a.Members.SequenceEqual(b.Members);

    private async Task<MembershipReconciler> ReplaceAsync(MembershipOptions options)
    {
        var inventory = _inventories(options);
        var reconciler = new MembershipReconciler(options, inventory, new EtcdMembershipCluster(options), _loggers.CreateLogger<MembershipReconciler>(), _time);
        var old = _reconciler;
        Volatile.Write(ref _reconciler, reconciler);
        if (old is not null)
        {
            await old.DisposeAsync().ConfigureAwait(false);
        }

        // A writer killed between staging and renaming leaves its temp file beside the destination.
        Tend.Core.Files.AtomicFile.RemoveStaleStageFiles(options.EnvironmentFile);
        return reconciler;
    }

    private async Task StopAsync()
    {
        if (_loopStop is null)
        {
            return;
        }

        await _loopStop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop!.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }

        _loopStop.Dispose();
        _loopStop = null;
        _loop = null;
    }

    private async Task LoopAsync(MembershipReconciler reconciler, CancellationToken cancellationToken)
    {
        // Off the caller's thread: ApplyAsync returns once the loop is set up, not after the first pass.
        await Task.Yield();
        while (!cancellationToken.IsCancellationRequested)
        {
            var delay = reconciler.Options.Interval;
            try
            {
                var result = await reconciler.RunPassAsync(cancellationToken).ConfigureAwait(false);

                // A learner catching up or a change waiting for quorum is looked at again soon, not a whole interval later.
                if (result.Outcome == MembershipOutcome.Pending && delay > PendingRetry)
                {
                    delay = PendingRetry;
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // A bug must not end the loop: the next pass starts from the facts again.
                Log.PassCrashed(_logger, ex);
            }

            await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    private IMembershipInventory CreateInventory(MembershipOptions options) => options.Inventory switch
    {
        MembershipInventoryKind.Static => new StaticInventory(options.Members, options.Name ?? Environment.MachineName),
        MembershipInventoryKind.Dns => new DnsInventory(new StoreSrvLookup(SrvResolver.FromSystem()), options.Domain!, options.PeerScheme, options.Name ?? FullyQualifiedHostName()),
        _ => new AwsInventory(
            InstanceMetadataClient.FromEnvironment(null, Environment.GetEnvironmentVariable),
            region => AwsInventory.CreateClient(region, options.Timeout * 2),
            options.ScalingGroupName,
            options.Region ?? EnvironmentRegion(),
            options.Address),
    };

    /// <summary>The region the AWS settings name (<c>AWS_REGION</c>, then <c>AWS_DEFAULT_REGION</c>), else <c>null</c> for the instance's own.</summary>
    private static string? EnvironmentRegion() =>
        new[] { "AWS_REGION", "AWS_DEFAULT_REGION" }.Select(Environment.GetEnvironmentVariable).FirstOrDefault(v => !string.IsNullOrWhiteSpace(v))?.Trim();

    private static string FullyQualifiedHostName()
    {
        var name = Dns.GetHostName();
        try
        {
            return Dns.GetHostEntry(name).HostName;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return name;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 920, Level = LogLevel.Information, Message = "membership: following {Inventory}, writing {File}, every {Seconds} s")]
        public static partial void Started(ILogger logger, string inventory, string file, double seconds);

        [LoggerMessage(EventId = 921, Level = LogLevel.Error, Message = "membership: a pass failed unexpectedly; the next one starts from the facts again")]
        public static partial void PassCrashed(ILogger logger, Exception exception);
    }
}
