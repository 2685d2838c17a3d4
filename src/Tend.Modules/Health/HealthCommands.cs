using System.Text.Json;
using Tend.Core.Agent;
using Tend.Core.Kv;
using Tend.Core.Processes;
using Tend.Modules.Checks;

namespace Tend.Modules.Health;

/// <summary>The one-shot forms powerconsul had: <c>check</c>, <c>trigger</c> and <c>watch</c>, reading the store directly.</summary>
public static class HealthCommands
{
    /// <summary>How long a one-shot command waits for the Consul agent's node name and datacenter.</summary>
    public static readonly TimeSpan AgentWait = TimeSpan.FromSeconds(5);

    /// <summary>Runs <paramref name="check"/> once; with a service, reads the role (and the primaries' health) from <paramref name="store"/>.</summary>
    /// <exception cref="HealthUnknownException">The role cannot be read (the message names the key).</exception>
    public static async Task<HealthOutcome> CheckAsync(HealthCheckOptions check, HealthOptions options, IKvStore? store, ICommandRunner? runner = null, Func<bool>? systemd = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(check);
        ArgumentNullException.ThrowIfNull(options);
        using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false });
        var probe = new HealthCheckFactory(runner ?? ShellCommandRunner.Instance, http, options.CheckProcs, systemd).Create(check);
        if (check.Service is null)
        {
            var raw = await probe.RunAsync(cancellationToken).ConfigureAwait(false);
            return new HealthOutcome(ClusterRole.Standalone, raw, raw);
        }

        // The identity first: without an environment nothing can be read, whatever the store.
        var identity = Identity(await AgentIdentity.ApplyAsync(options, store?.FindConsulAgent(), AgentWait, cancellationToken).ConfigureAwait(false));
        var evaluator = Evaluator(store, out _);
        return await evaluator.EvaluateAsync(identity, check.Service, probe, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs <c>triggers/ENV/SERVICE/ROLE/STATE</c> for this node now; <c>null</c> when there is no such key
    /// (nothing to run). No flap interval applies: the caller decided.
    /// </summary>
    /// <exception cref="HealthUnknownException">The role cannot be read, or a script cannot take a placeholder's value.</exception>
    public static async Task<(string Key, TriggerResult? Result)> TriggerAsync(HealthOptions options, IKvStore store, string service, string state, ICommandRunner? runner = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(store);
        var identity = Identity(await AgentIdentity.ApplyAsync(options, store.FindConsulAgent(), AgentWait, cancellationToken).ConfigureAwait(false));
        var evaluator = Evaluator(store, out var data);
        var role = await evaluator.RoleAsync(identity, service, cancellationToken).ConfigureAwait(false);
        var key = identity.TriggerKey(service, role, state);
        var value = await data.GetAsync(key, cancellationToken).ConfigureAwait(false);
        if (string.IsNullOrWhiteSpace(value))
        {
            return (key, null);
        }

        var executor = new TriggerExecutor(runner ?? ShellCommandRunner.Instance, options.TriggerTimeout);
        return (key, await executor.RunAsync(new TriggerRequest(key, value, identity, service, role, state), cancellationToken).ConfigureAwait(false));
    }

    /// <summary>
    /// This node's checks in <paramref name="state"/> from a Consul watch's input (<paramref name="json"/>): the
    /// JSON array of a <c>checks</c> watch, or the entries (<c>Node</c>, <c>Service</c>, <c>Checks</c>) of a
    /// <c>service</c> watch. Each check's service is its <c>ServiceName</c>, else its <c>Name</c>; node checks
    /// (serfHealth) without either are left out. In input order, each check once.
    /// </summary>
    /// <exception cref="HealthUnknownException">The input is not a JSON array.</exception>
    public static IReadOnlyList<WatchedCheck> WatchedChecks(HealthIdentity identity, string json, string state)
    {
        ArgumentNullException.ThrowIfNull(identity);
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(string.IsNullOrWhiteSpace(json) ? "[]" : json);
        }
        catch (JsonException ex)
        {
            throw new HealthUnknownException($"the watch input (stdin) is not JSON: {ex.Message}", ex);
        }

        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Array)
            {
                throw new HealthUnknownException("the watch input (stdin) must be a JSON array of checks, as a Consul \"checks\" (or \"service\") watch gives");
            }

            var checks = new List<WatchedCheck>();
            foreach (var entry in doc.RootElement.EnumerateArray())
            {
                if (entry.ValueKind != JsonValueKind.Object)
                {
                    continue;
                }

                // A service watch: {"Node": {"Node": name, ...}, "Service": {...}, "Checks": [...]}.
                if (entry.TryGetProperty("Checks", out var nested) && nested.ValueKind == JsonValueKind.Array)
                {
                    foreach (var c in nested.EnumerateArray())
                    {
                        Add(checks, c, identity, state);
                    }
                }
                else
                {
                    Add(checks, entry, identity, state);
                }
            }

            return checks;
        }
    }

    private static void Add(List<WatchedCheck> checks, JsonElement c, HealthIdentity identity, string state)
    {
        if (c.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        var service = Text(c, "ServiceName") is { Length: > 0 } s ? s : Text(c, "Name");
        var id = Text(c, "CheckID") is { Length: > 0 } i ? i : service;
        if (string.Equals(Text(c, "Node"), identity.Hostname, StringComparison.OrdinalIgnoreCase)
            && string.Equals(Text(c, "Status"), state, StringComparison.Ordinal)
            && service is { Length: > 0 } && id is not null
            && !string.Equals(id, "serfHealth", StringComparison.Ordinal)
            && !checks.Exists(w => w.CheckId == id))
        {
            checks.Add(new WatchedCheck(id, service));
        }
    }

    /// <summary>The identity of <paramref name="options"/> on this host, with a known environment.</summary>
    /// <exception cref="HealthUnknownException">No environment, or a bad hostname_pattern.</exception>
    public static HealthIdentity Identity(HealthOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        HealthIdentity identity;
        try
        {
            identity = HealthIdentity.Resolve(options);
        }
        catch (ArgumentException ex)
        {
            throw new HealthUnknownException($"[health] hostname_pattern: {ex.Message}", ex);
        }

        identity.RequireEnvironment();
        return identity;
    }

    private static HealthEvaluator Evaluator(IKvStore? store, out IHealthData data)
    {
        if (store is null)
        {
            throw new HealthUnknownException("a check of a service (-S) reads its role from the store, and no store is configured ([store] in tend.toml, or --store/--endpoint)");
        }

        data = new StoreHealthData(store);
        IPrimaryHealthSource primaries = new PublishedPrimaryHealthSource(data, store.Capabilities.HasFlag(KvStoreCapabilities.Ephemeral));
        if (store.FindConsulAgent() is { } agent)
        {
            primaries = new ConsulPrimaryHealthSource(agent, data, primaries);
        }

        return new HealthEvaluator(data, primaries);
    }

    private static string? Text(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
