using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Tend.Core.Kv;

namespace Tend.Modules.Hooks.Inventory;

/// <summary>
/// Writes the host inventory (<c>/putall</c>, <c>tend hosts add|remove</c>) as the smallest set of
/// operations, within the store's transaction limit, atomically for every Tend writer and reader.
/// </summary>
/// <remarks>
/// <para><b>The guard.</b> The root key itself (<c>/site</c>) holds an <see cref="InventoryGuard"/>. A
/// write reads the tree, plans only the difference (host keys only; nothing at all when nothing
/// differs), and commits it together with a rewrite of the guard under one compare: the guard's
/// revision is still the one read. That single compare serialises every Tend writer, whatever the
/// inventory's size; a writer that loses re-reads and re-plans.</para>
/// <para><b>Larger than one transaction.</b> The operations are written first to a journal beside
/// the root (<see cref="HostInventory.JournalRoot"/>), then one transaction checks the guard and the
/// journal parts and sets the guard to <c>applying</c> — from then on the replace is decided. Each
/// following transaction commits the next operations and advances the guard's <c>applied</c> count
/// under a compare on the guard's revision; the last one also sets it back to <c>idle</c> and deletes
/// the journal. Readers (the Nagios generator, <c>/getall</c>) do not act while the guard says
/// <c>applying</c>. When the writer dies or the store fails half-way, anyone can finish: the next
/// write, <c>tend hosts resume</c>, or a daemon that serves the inventory (<see cref="ResumeAsync"/>);
/// the compare on the guard makes concurrent finishers apply each step exactly once.</para>
/// </remarks>
public sealed partial class HostInventoryWriter
{
    /// <summary>The smallest transaction limit the protocol works with: a compare, one operation, the guard, and the journal's removal.</summary>
    public const int MinTransactionOperations = 5;

    private readonly HostInventory _inventory;
    private readonly IKvStore _store;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private (string Id, List<KvOperation> Operations)? _journal;

    /// <summary>Creates a writer of <paramref name="inventory"/> in <paramref name="store"/>.</summary>
    public HostInventoryWriter(HostInventory inventory, IKvStore store, ILogger? logger = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(inventory);
        ArgumentNullException.ThrowIfNull(store);
        _inventory = inventory;
        _store = store;
        _logger = logger ?? NullLogger.Instance;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>The inventory this writer writes.</summary>
    public HostInventory Inventory => _inventory;

    /// <summary>The store it writes to.</summary>
    public IKvStore Store => _store;

    /// <summary>The usual size of a journal part (bytes of JSON); each part is one store write.</summary>
    internal int PartBytes { get; init; } = 256 * 1024;

    /// <summary>How often a write re-plans after losing to a concurrent writer before it gives up.</summary>
    internal int MaxAttempts { get; init; } = 5;

    private string Root => _inventory.Root;

    /// <summary>Makes the hosts exactly <paramref name="wanted"/> (key → state, from <see cref="HostInventory.ToKeys"/>).</summary>
    /// <exception cref="InventoryWriteException">The tree kept changing, or the root key holds someone else's value; nothing was applied.</exception>
    /// <exception cref="InventoryReplaceInterruptedException">The store failed after the replace was decided; it is finished later.</exception>
    /// <exception cref="KvStoreException">The store failed before anything was decided; nothing was applied.</exception>
    public Task<InventoryWriteResult> ReplaceAsync(IReadOnlyDictionary<string, string> wanted, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(wanted);
        return WriteAsync("putall", (current, ct) => _inventory.PlanReplace(current, wanted, ct), cancellationToken);
    }

    /// <summary>Sets the hosts in <paramref name="hosts"/> (key → state); only those whose state differs are written.</summary>
    public Task<InventoryWriteResult> PutAsync(IReadOnlyCollection<KeyValuePair<string, string>> hosts, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(hosts);
        return WriteAsync("hosts add", (current, _) => _inventory.PlanPut(current, hosts), cancellationToken);
    }

    /// <summary>Deletes the hosts in <paramref name="keys"/> that exist.</summary>
    public Task<InventoryWriteResult> DeleteAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        return WriteAsync("hosts remove", (current, _) => _inventory.PlanDelete(current, keys), cancellationToken);
    }

    /// <summary>
    /// Finishes a replace that was decided but not completed (its writer died, or the store failed
    /// half-way); <c>null</c> when none is pending. Safe to run beside the original writer.
    /// </summary>
    public async Task<InventoryWriteResult?> ResumeAsync(CancellationToken cancellationToken = default)
    {
        RequireWritable();
        var pair = await _store.GetAsync(Root, cancellationToken).ConfigureAwait(false);
        if (ReadGuard(pair) is not { Applying: true } guard)
        {
            return null;
        }

        List<KvOperation> ops;
        try
        {
            ops = await LoadJournalAsync(guard, cancellationToken).ConfigureAwait(false);
        }
        catch (FormatException ex)
        {
            return await AbandonAsync(guard, pair!.ModRevision, ex.Message, cancellationToken).ConfigureAwait(false);
        }

        Log.Resuming(_logger, Root, guard.Writer ?? "?", guard.Applied, guard.Operations);
        var (transactions, revision, puts, deletes) = await ApplyAsync(guard, pair!.ModRevision, ops, cancellationToken).ConfigureAwait(false);
        return new InventoryWriteResult(puts, deletes, transactions, revision);
    }

    private async Task<InventoryWriteResult> WriteAsync(string writer, Func<KvSnapshot, CancellationToken, List<KvOperation>> plan, CancellationToken cancellationToken)
    {
        RequireWritable();
        int writes = 0;
        for (int attempt = 1; ; attempt++)
        {
            var current = await _store.ListAsync(Root, cancellationToken).ConfigureAwait(false);
            var pair = current.Get(Root);
            if (ReadGuard(pair) is { Applying: true })
            {
                if (attempt > MaxAttempts)
                {
                    throw new InventoryWriteException($"replaces of the host tree under {Root} kept following each other ({attempt} attempts); nothing was applied, try again");
                }

                // Someone's replace is decided but unfinished: finish it first, then plan on its result.
                writes += (await ResumeAsync(cancellationToken).ConfigureAwait(false))?.Transactions ?? 0;
                continue;
            }

            var ops = plan(current, cancellationToken);
            if (ops.Count == 0)
            {
                return new InventoryWriteResult(0, 0, writes, current.Revision);
            }

            int puts = ops.Count(o => o.Kind == KvOperationKind.Put);
            var guardCompare = pair is null ? KvCompare.Missing(Root) : KvCompare.ModRevisionEquals(Root, pair.ModRevision);
            if (ops.Count + 2 <= _store.MaxTransactionOperations)
            {
                var idle = Idle(writer, note: null);
                var result = await _store.CommitAsync(new KvTransaction([guardCompare], [.. ops, KvOperation.Put(Root, idle)]), cancellationToken).ConfigureAwait(false);
                writes++;
                if (result.Succeeded)
                {
                    return new InventoryWriteResult(puts, ops.Count - puts, writes, result.Revision);
                }
            }
            else
            {
                var begun = await BeginAsync(writer, guardCompare, ops, cancellationToken).ConfigureAwait(false);
                writes += begun.Writes;
                if (begun.Guard is { } guard)
                {
                    // Decided: finish whatever happens to the caller (a disconnected client does not leave it half-way).
                    var applied = await ApplyAsync(guard, begun.GuardRevision, ops, CancellationToken.None).ConfigureAwait(false);
                    return new InventoryWriteResult(puts, ops.Count - puts, writes + applied.Transactions, applied.Revision);
                }
            }

            if (attempt >= MaxAttempts)
            {
                throw new InventoryWriteException($"the host tree under {Root} kept changing during the update ({attempt} attempts); nothing was applied, try again");
            }
        }
    }

    /// <summary>Writes the journal and decides the replace; a null guard when another writer came first (nothing decided).</summary>
    private async Task<(InventoryGuard? Guard, long GuardRevision, int Writes)> BeginAsync(string writer, KvCompare guardCompare, List<KvOperation> ops, CancellationToken cancellationToken)
    {
        int limit = _store.MaxTransactionOperations;
        if (limit < MinTransactionOperations)
        {
            throw new InventoryWriteException($"{_store.Name} allows {limit} operations per transaction; writing more than {limit - 2} hosts at once needs at least {MinTransactionOperations}");
        }

        var id = Guid.NewGuid().ToString("N")[..16];
        var parts = InventoryJournal.Encode(ops, _inventory, PartBytes, maxParts: limit - 2);
        var compares = new List<KvCompare>(parts.Count + 1) { guardCompare };
        int writes = 0;
        var now = _time.GetUtcNow();
        var guard = new InventoryGuard
        {
            State = "applying",
            Writer = writer,
            Id = id,
            Parts = parts.Count,
            Operations = ops.Count,
            Applied = 0,
            Started = now,
            Updated = now,
        };
        try
        {
            for (int i = 0; i < parts.Count; i++)
            {
                var key = PartKey(id, i);
                long revision = await _store.PutAsync(key, parts[i], cancellationToken).ConfigureAwait(false);
                writes++;

                // A journal part deleted meanwhile (by a finisher's clean-up) must not be committed to.
                compares.Add(KvCompare.ModRevisionEquals(key, revision));
            }

            var result = await _store.CommitAsync(new KvTransaction(compares, [KvOperation.Put(Root, guard.ToJson())]), cancellationToken).ConfigureAwait(false);
            writes++;
            if (result.Succeeded)
            {
                lock (_gate)
                {
                    _journal = (id, ops);
                }

                Log.Begun(_logger, Root, ops.Count, parts.Count, id);
                return (guard, result.Revision, writes);
            }
        }
        catch (Exception ex) when (ex is KvStoreException or OperationCanceledException)
        {
            // The decisive commit may have been applied without its answer arriving: look before giving up.
            var (known, revision) = await ProbeBegunAsync(id).ConfigureAwait(false);
            if (revision is { } begun)
            {
                lock (_gate)
                {
                    _journal = (id, ops);
                }

                return (guard, begun, writes);
            }

            if (known)
            {
                // Surely not decided: the parts are garbage. (Unknown: they may be a live journal; the next clean-up decides.)
                await ForgetJournalAsync(id).ConfigureAwait(false);
            }

            throw;
        }

        await ForgetJournalAsync(id).ConfigureAwait(false);
        return (null, 0, writes);
    }

    /// <summary>
    /// Commits the operations from the guard's <c>applied</c> count on, one transaction at a time; the
    /// last one sets the guard idle and drops the journal. Returns when the replace is complete (by this
    /// caller or a concurrent finisher).
    /// </summary>
    private async Task<(int Transactions, long Revision, int Puts, int Deletes)> ApplyAsync(InventoryGuard guard, long guardRevision, List<KvOperation> ops, CancellationToken cancellationToken)
    {
        int transactions = 0, puts = 0, deletes = 0;
        while (true)
        {
            int chunk = _store.MaxTransactionOperations - 4;
            if (chunk < 1)
            {
                throw new InventoryWriteException($"{_store.Name} allows {_store.MaxTransactionOperations} operations per transaction; the inventory needs at least {MinTransactionOperations}");
            }

            int from = Math.Min(guard.Applied, ops.Count);
            int count = Math.Min(chunk, ops.Count - from);
            bool last = from + count >= ops.Count;
            var batch = ops.GetRange(from, count);
            var next = last ? null : guard with { Applied = from + count, Updated = _time.GetUtcNow() };
            batch.Add(KvOperation.Put(Root, next?.ToJson() ?? Idle(guard.Writer ?? "putall", note: null)));
            if (last)
            {
                batch.Add(KvOperation.DeletePrefix(JournalKey(guard.Id!)));
            }

            KvTransactionResult result;
            try
            {
                result = await _store.CommitAsync(new KvTransaction([KvCompare.ModRevisionEquals(Root, guardRevision)], batch), cancellationToken).ConfigureAwait(false);
            }
            catch (KvStoreException ex) when (ex is not KvNotSupportedException)
            {
                throw new InventoryReplaceInterruptedException(Root, guard, ex);
            }

            transactions++;
            if (result.Succeeded)
            {
                puts += batch.Take(count).Count(o => o.Kind == KvOperationKind.Put);
                deletes += batch.Take(count).Count(o => o.Kind == KvOperationKind.Delete);
                if (last)
                {
                    Log.Completed(_logger, Root, ops.Count, guard.Id!);
                    await ForgetJournalAsync(null).ConfigureAwait(false);
                    return (transactions, result.Revision, puts, deletes);
                }

                guard = next!;
                guardRevision = result.Revision;
                continue;
            }

            // The guard moved: another finisher committed this step, or the replace is complete.
            var pair = await _store.GetAsync(Root, cancellationToken).ConfigureAwait(false);
            if (ReadGuard(pair) is not { Applying: true } now || now.Id != guard.Id)
            {
                return (transactions, pair?.ModRevision ?? result.Revision, puts, deletes);
            }

            guard = now;
            guardRevision = pair!.ModRevision;
        }
    }

    /// <summary>Sets the guard idle without applying the rest: only when the journal cannot be read (someone deleted or edited it).</summary>
    private async Task<InventoryWriteResult> AbandonAsync(InventoryGuard guard, long guardRevision, string reason, CancellationToken cancellationToken)
    {
        var note = $"replace {guard.Id} abandoned after {guard.Applied} of {guard.Operations} operations: {reason}";
        var ops = new List<KvOperation> { KvOperation.Put(Root, Idle(guard.Writer ?? "putall", note)) };
        if (!string.IsNullOrEmpty(guard.Id) && !guard.Id.Contains('/', StringComparison.Ordinal))
        {
            ops.Add(KvOperation.DeletePrefix(JournalKey(guard.Id)));
        }

        // Under the compare: when a finisher completed it meanwhile (and dropped the journal), nothing is abandoned.
        var result = await _store.CommitAsync(new KvTransaction([KvCompare.ModRevisionEquals(Root, guardRevision)], ops), cancellationToken).ConfigureAwait(false);
        if (result.Succeeded)
        {
            Log.Abandoned(_logger, Root, guard.Id ?? "?", guard.Applied, guard.Operations, reason);
        }

        return new InventoryWriteResult(0, 0, 1, result.Revision);
    }

    private async Task<List<KvOperation>> LoadJournalAsync(InventoryGuard guard, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_journal is { } cached && cached.Id == guard.Id)
            {
                return cached.Operations;
            }
        }

        if (string.IsNullOrEmpty(guard.Id) || guard.Id.Contains('/', StringComparison.Ordinal))
        {
            throw new FormatException("the guard names no journal");
        }

        // One read per part (a listing would leave ZooKeeper watching each journal).
        var parts = new List<string>(guard.Parts);
        for (int i = 0; i < guard.Parts; i++)
        {
            var part = await _store.GetAsync(PartKey(guard.Id, i), cancellationToken).ConfigureAwait(false);
            parts.Add(part?.Value ?? throw new FormatException($"journal part {PartKey(guard.Id, i)} is missing"));
        }

        var ops = InventoryJournal.Decode(parts, _inventory);
        if (ops.Count != guard.Operations)
        {
            throw new FormatException($"the journal holds {ops.Count} operations, the guard says {guard.Operations}");
        }

        lock (_gate)
        {
            _journal = (guard.Id, ops);
        }

        return ops;
    }

    /// <summary>Whether the guard names journal <paramref name="id"/> (then with the guard's revision); Known is false when the store could not be asked.</summary>
    private async Task<(bool Known, long? Revision)> ProbeBegunAsync(string id)
    {
        try
        {
            var pair = await _store.GetAsync(Root, CancellationToken.None).ConfigureAwait(false);
            return (true, InventoryGuardOf(pair) is { Applying: true } g && g.Id == id ? pair!.ModRevision : null);
        }
        catch (KvStoreException)
        {
            return (false, null);
        }
    }

    /// <summary>Best effort: drops journal <paramref name="id"/>'s parts, or with null every journal not in use (parts of writers that died before deciding).</summary>
    private async Task ForgetJournalAsync(string? id)
    {
        try
        {
            if (id is not null)
            {
                await _store.DeleteAsync(JournalKey(id), prefix: true, CancellationToken.None).ConfigureAwait(false);
                return;
            }

            // Only while no replace is applying, checked in the same transaction: a live journal must
            // stay. A writer whose parts go meanwhile loses its decisive commit (it compares them) and
            // starts over.
            var pair = await _store.GetAsync(Root, CancellationToken.None).ConfigureAwait(false);
            if (InventoryGuardOf(pair) is not { Applying: true })
            {
                var unchanged = pair is null ? KvCompare.Missing(Root) : KvCompare.ModRevisionEquals(Root, pair.ModRevision);
                await _store.CommitAsync(new KvTransaction([unchanged], [KvOperation.DeletePrefix(_inventory.JournalRoot)]), CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (KvStoreException ex)
        {
            Log.JournalCleanupFailed(_logger, _inventory.JournalRoot, ex.Message);
        }
    }

    private InventoryGuard? ReadGuard(KvPair? pair)
    {
        if (pair is null || pair.Value.Length == 0)
        {
            return null;
        }

        return InventoryGuardOf(pair) ?? throw new InventoryWriteException(
            $"the inventory's root key {Root} holds a value Tend did not write (\"{Shorten(pair.Value)}\"); Tend keeps the inventory's guard there and never overwrites "
            + "another value: move that value elsewhere");
    }

    private static InventoryGuard? InventoryGuardOf(KvPair? pair) =>
        pair is not null && InventoryGuard.TryParse(pair.Value, out var guard) ? guard : null;

    private void RequireWritable()
    {
        if ((_store.Capabilities & (KvStoreCapabilities.Write | KvStoreCapabilities.Transactions)) != (KvStoreCapabilities.Write | KvStoreCapabilities.Transactions))
        {
            throw new KvNotSupportedException($"{_store.Name} cannot write the host inventory: it needs a store with transactions (etcd, ZooKeeper)");
        }
    }

    private string Idle(string writer, string? note) =>
        new InventoryGuard { Writer = writer, Updated = _time.GetUtcNow(), Note = note }.ToJson();

    private string JournalKey(string id) => _inventory.JournalRoot + "/" + id;

    private string PartKey(string id, int index) => JournalKey(id) + "/" + index.ToString("D4", System.Globalization.CultureInfo.InvariantCulture);

    private static string Shorten(string value) => value.Length <= 60 ? value : value[..60] + "…";

    private static partial class Log
    {
        [LoggerMessage(EventId = 850, Level = LogLevel.Information, Message = "Inventory {Root}: a replace of {Operations} operations is larger than one transaction; journal {Id} in {Parts} parts, applying")]
        public static partial void Begun(ILogger logger, string root, int operations, int parts, string id);

        [LoggerMessage(EventId = 851, Level = LogLevel.Information, Message = "Inventory {Root}: replace {Id} complete ({Operations} operations)")]
        public static partial void Completed(ILogger logger, string root, int operations, string id);

        [LoggerMessage(EventId = 852, Level = LogLevel.Warning, Message = "Inventory {Root}: finishing an unfinished replace by {Writer} ({Applied} of {Operations} operations were applied)")]
        public static partial void Resuming(ILogger logger, string root, string writer, int applied, int operations);

        [LoggerMessage(EventId = 853, Level = LogLevel.Error, Message = "Inventory {Root}: replace {Id} abandoned after {Applied} of {Operations} operations, the hosts are part old, part new; send the inventory again: {Reason}")]
        public static partial void Abandoned(ILogger logger, string root, string id, int applied, int operations, string reason);

        [LoggerMessage(EventId = 854, Level = LogLevel.Warning, Message = "Inventory: could not clean up journals under {JournalRoot} (retried after the next replace): {Reason}")]
        public static partial void JournalCleanupFailed(ILogger logger, string journalRoot, string reason);
    }
}
