using System.Text;
using Tend.Core.Files;
using Tend.Core.Kv;
using Tend.Core.Mirror;
using Tend.Core.Processes;
using Tend.Modules.Render.Config;

namespace Tend.Modules.Render;

public sealed partial class RenderModule
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    private enum Outcome
    {
        Unchanged,
        Written,
        Failed,

        /// <summary>A consul-template render read a dependency without data; nothing was written (not yet an error).</summary>
        Waiting,
    }

    /// <summary>The write path of one resource: render, compare, stage, check, rename. Never throws but for cancellation.</summary>
    private async Task<Outcome> RenderOneAsync(RenderResource r, bool fromMirrors, CancellationToken cancellationToken)
    {
        var o = r.Options;
        long revision = 0;
        var output = r.RentOutput();
        bool keepBuffer = true;
        try
        {
            if (r.Template is BrokenTemplate broken)
            {
                // Reported before any read, so a store outage never hides what is wrong with the template.
                throw new RenderFailedException(broken.Error);
            }

            var input = await ReadInputAsync(r, fromMirrors, cancellationToken).ConfigureAwait(false);
            revision = input.Revision;
            var limits = _options.Limits.For(o);
            r.Template.Render(input, output, limits, cancellationToken);
            if (output.Length > limits.MaxOutput)
            {
                // The engine bounds characters; multi-byte text can still exceed the bound in bytes.
                throw new RenderFailedException($"template {Path.GetFileName(o.Source)}: output of {output.Length} bytes exceeds the limit of {RenderLimits.FormatSize(limits.MaxOutput)}");
            }

            var content = output.GetBuffer().AsMemory(0, (int)output.Length);
            if (_options.Dry)
            {
                // consul-template's -dry: every render is printed whole, changed or not, and nothing is written or run.
                await _diffOutput.WriteAsync($"> {o.Destination}\n{Utf8.GetString(content.Span)}").ConfigureAwait(false);
                await _diffOutput.FlushAsync(cancellationToken).ConfigureAwait(false);
                Succeeded(r, revision, written: false);
                return Outcome.Unchanged;
            }

            var ownership = new FileOwnership(o.Mode, o.Uid, o.Gid);
            if (AtomicFile.IsUpToDate(o.Destination, content.Span, ownership))
            {
                Succeeded(r, revision, written: false);
                return Outcome.Unchanged;
            }

            var link = UnixFiles.SymlinkTarget(o.Destination);
            if (_options.Noop)
            {
                var old = link is null && File.Exists(o.Destination) ? await File.ReadAllTextAsync(o.Destination, cancellationToken).ConfigureAwait(false) : string.Empty;
                var diff = UnifiedDiff.Create(old, Utf8.GetString(content.Span), o.Destination, o.Destination + " (rendered)");
                if (link is not null)
                {
                    await _diffOutput.WriteAsync($"(symbolic link to {link}: it would be replaced by a regular file)\n").ConfigureAwait(false);
                }

                await _diffOutput.WriteAsync(diff.Length > 0 ? diff : $"--- {o.Destination}\n+++ {o.Destination} (rendered)\n(mode or owner differs)\n").ConfigureAwait(false);
                await _diffOutput.FlushAsync(cancellationToken).ConfigureAwait(false);
                Log.WouldChange(_logger, o.Id, o.Destination);
                Succeeded(r, revision, written: false);
                return Outcome.Unchanged;
            }

            // A check of the staged file runs beside its fsync (the check reads what was written; the rename waits for both).
            bool checkStaged = r.CheckCommand is not null && !_options.SyncOnly && o.Shape != RenderDataShape.Reconfig;
            using var staged = AtomicFile.Stage(o.Destination, content.Span, ownership, o.CreateDestDirs, o.Durability ?? _options.Durability, flushLater: checkStaged);
            if (staged.Fallback is { } fallback)
            {
                WarnOrderedFallback(r, fallback);
            }

            if (o.Shape == RenderDataShape.Reconfig && r.CheckCommand is { } targetCheck && !_options.SyncOnly)
            {
                if (link is not null)
                {
                    Log.SymlinkReplaced(_logger, o.Id, o.Destination, link);
                }

                await InstallCheckedAsync(r, staged, targetCheck, cancellationToken).ConfigureAwait(false);
                Succeeded(r, revision, written: true, staged);
                Log.Written(_logger, o.Id, o.Destination, revision);
                return Outcome.Written;
            }

            if (checkStaged && r.CheckCommand is { } check)
            {
                var flushing = staged.FlushInBackground();
                var command = check.Expand(staged.Path);
                var result = await _runner.RunAsync(new CommandSpec(command, o.CheckTimeout ?? _options.CheckTimeout), cancellationToken).ConfigureAwait(false);
                if (!result.Succeeded)
                {
                    if (_options.KeepStageFile)
                    {
                        staged.Keep();
                    }

                    throw new RenderFailedException($"check_cmd failed, {o.Destination} left as it was: {result.Summary}");
                }

                await flushing.ConfigureAwait(false);
            }

            if (link is not null)
            {
                Log.SymlinkReplaced(_logger, o.Id, o.Destination, link);
            }

            // The old text for the diff is read after the rename, from the replaced file still held open, so
            // the new file is in place without waiting for that read.
            bool keepDiff = KeepChangeDiffs;
            string? oldText = keepDiff && (link is not null || !staged.ReplacesFile) ? string.Empty : null;
            int newLength = content.Length;
            staged.Commit(o.Backup ? o.Destination + ".bak" : null, _flusher, keepDiff && oldText is null ? replaced => oldText = RenderChangeDiff.ReadOld(replaced, newLength) : null);
            Succeeded(r, revision, written: true, staged);
            if (keepDiff)
            {
                var lastDiff = RenderChangeDiff.Create(o.Destination, oldText, content.Span);
                lock (_gate)
                {
                    r.Status = r.Status with { LastDiff = lastDiff };
                }
            }

            Log.Written(_logger, o.Id, o.Destination, revision);
            return Outcome.Written;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (RenderWaitingException waiting)
        {
            return Waiting(r, waiting);
        }
        catch (Exception ex)
        {
            // Whatever failed (data, template, disk, check), the old file stays and the others go on.
            // A template that ran into its output bound must not leave its buffer's size behind.
            keepBuffer = output.Capacity <= 1 << 20;
            lock (_gate)
            {
                r.Status = r.Status with { LastError = ex.Message, Failures = r.Status.Failures + 1 };
            }

            Log.Failed(_logger, o.Id, o.Destination, ex.Message);
            return Outcome.Failed;
        }
        finally
        {
            if (keepBuffer)
            {
                r.ReturnOutput(output);
            }
        }
    }

    /// <summary>Tells, once per resource and device, that <c>durability = "ordered"</c> does not hold there and <c>full</c> is used.</summary>
    private void WarnOrderedFallback(RenderResource r, DurabilityFallback fallback)
    {
        bool first;
        lock (_gate)
        {
            first = r.OrderedFallbacks.Add(fallback.Device);
        }

        if (first)
        {
            Log.OrderedNotKept(_logger, r.Options.Id, Path.GetDirectoryName(Path.GetFullPath(r.Options.Destination))!, fallback.Reason);
        }
    }

    /// <summary>
    /// reconfig's order: its checkcmd names the target (<c>varnishd -C -f /etc/varnish/default.vcl</c>), so
    /// checking a staged file would validate the old content and install the new one unchecked. The new
    /// file is installed, checked, and on failure the previous file is put back exactly (a target that did
    /// not exist is removed) and the reload is skipped. <c>{{.src}}</c> names the target, which holds the
    /// new content while the check runs.
    /// </summary>
    private async Task InstallCheckedAsync(RenderResource r, StagedFile staged, ShellCommandTemplate check, CancellationToken cancellationToken)
    {
        var o = r.Options;
        using var installed = staged.Install(_flusher);
        CommandResult result;
        try
        {
            var command = check.Expand(o.Destination);
            result = await _runner.RunAsync(new CommandSpec(command, o.CheckTimeout ?? _options.CheckTimeout), cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            installed.RollBack();
            throw;
        }

        if (!result.Succeeded)
        {
            installed.RollBack();
            var restored = installed.ReplacedAFile ? "the previous file restored" : "removed again (it did not exist before)";
            throw new RenderFailedException($"checkcmd failed on the new {o.Destination}, {restored}: {result.Summary}");
        }

        installed.Confirm(o.Backup ? o.Destination + ".bak" : null);
    }

    /// <summary>
    /// A render that read a dependency without data is held back, as consul-template holds it: the
    /// old file stays and the resource waits for the data. Once it has waited longer than its
    /// timeout, the wait is an error naming what is missing (it still renders when the data comes).
    /// </summary>
    private Outcome Waiting(RenderResource r, RenderWaitingException waiting)
    {
        var now = _time.GetUtcNow();

        // A catalog query that keeps failing (an ACL refusal, an unknown datacenter) says why it has no answer.
        var failing = _catalog?.Watches.Where(w => w.LastError is not null).ToDictionary(w => w.Query.Key, w => w.LastError!, StringComparer.Ordinal);
        string missing = string.Join(", ", waiting.Missing.Select(m => failing is not null && failing.TryGetValue(m, out var error) ? $"{m} (last error: {error})" : m));
        bool started;
        bool timedOut;
        lock (_gate)
        {
            started = r.WaitingSince is null;
            r.WaitingSince ??= now;
            r.WaitingForFile = waiting.Missing.Any(m => m.StartsWith("file(", StringComparison.Ordinal));
            timedOut = now - r.WaitingSince.Value >= r.MissingDataTimeout;
            if (timedOut)
            {
                r.Status = r.Status with
                {
                    LastError = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"no data after {r.MissingDataTimeout.TotalSeconds:0.###}s for {missing}; {r.Options.Destination} is not rendered until it comes"),
                    Failures = r.Status.Failures + 1,
                };
            }
        }

        if (timedOut)
        {
            Log.Failed(_logger, r.Options.Id, r.Options.Destination, r.Status.LastError!);
            return Outcome.Failed;
        }

        if (started)
        {
            Log.Waiting(_logger, r.Options.Id, r.Options.Destination, missing);
        }

        return Outcome.Waiting;
    }

    /// <summary>Records a render that left the destination current; <paramref name="staged"/> is the file written, for how it was flushed (null when nothing was written).</summary>
    private void Succeeded(RenderResource r, long revision, bool written, StagedFile? staged = null)
    {
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            r.WaitingSince = null;
            r.Status = r.Status with
            {
                LastRender = now,
                LastWrite = written ? now : r.Status.LastWrite,
                Writes = written ? r.Status.Writes + 1 : r.Status.Writes,
                LastError = null,
                Revision = revision,
                Durability = staged is null ? r.Status.Durability : DurabilityName(staged.Durability),
                DurabilityNote = staged is null ? r.Status.DurabilityNote : staged.Fallback is { } f ? $"ordered cannot be kept here ({f.Reason}): full is used" : null,
            };
        }
    }

    private static string DurabilityName(FileDurability durability) => durability switch
    {
        FileDurability.Ordered => "ordered",
        FileDurability.None => "none",
        _ => "full",
    };

    /// <summary>
    /// Reads the resource's keys: from the loaded mirrors in watch mode, else straight from the store. Either
    /// way every prefix is read as of one store revision, so one transaction that touched two prefixes is
    /// rendered whole or not at all (see <see cref="KvConsistentRead"/>).
    /// </summary>
    private async Task<RenderInput> ReadInputAsync(RenderResource r, bool fromMirrors, CancellationToken cancellationToken)
    {
        IReadOnlyList<KvSnapshot> snapshots;
        if (fromMirrors)
        {
            foreach (var mirror in r.Mirrors)
            {
                if (!mirror.IsSynced)
                {
                    // Never render from an empty mirror (after a restart the store may just be slow).
                    throw new RenderFailedException($"the keys under {mirror.Prefix} have not loaded yet");
                }
            }

            snapshots = await KvConsistentRead.FromMirrorsAsync(r.Mirrors, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            snapshots = await KvConsistentRead.FromStoreAsync(_store, r.ReadPrefixes, cancellationToken).ConfigureAwait(false);
        }

        long revision = snapshots.Count == 0 ? 0 : snapshots.Max(s => s.Revision);
        var o = r.Options;
        if (o.Shape == RenderDataShape.Reconfig)
        {
            return new RenderInput(ReconfigPairs(o, snapshots), ReconfigDot(o, snapshots), revision);
        }

        return new RenderInput(RelativePairs(snapshots, o.Prefix), null, revision, r.Catalog);
    }

    /// <summary>
    /// The snapshots' pairs with keys relative to the resource prefix (confd's template lookups),
    /// sorted by key, a later snapshot winning on a repeated key. One snapshot is already sorted and
    /// stripping the common prefix keeps the order, so the usual case is one pass and no sort.
    /// </summary>
    private static KvPair[] RelativePairs(IReadOnlyList<KvSnapshot> snapshots, string prefix)
    {
        if (snapshots.Count == 1)
        {
            var s = snapshots[0];
            var result = new KvPair[s.Count];
            int i = 0;
            foreach (var p in s)
            {
                result[i++] = Relative(p, prefix);
            }

            return result;
        }

        var merged = new Dictionary<string, KvPair>(StringComparer.Ordinal);
        foreach (var s in snapshots)
        {
            foreach (var p in s)
            {
                var r = Relative(p, prefix);
                merged[r.Key] = r;
            }
        }

        var pairs = merged.Values.ToArray();
        Array.Sort(pairs, static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        return pairs;
    }

    private static KvPair Relative(KvPair p, string prefix) =>
        prefix == KeyPath.Root ? p : p with { Key = KeyPath.Relative(p.Key, prefix) };

    private static List<KvPair> ReconfigPairs(RenderResourceOptions o, IReadOnlyList<KvSnapshot> snapshots) =>
        snapshots.SelectMany(s => s).Where(p => o.Recursive || p.Key == o.Keys[0]).DistinctBy(p => p.Key).OrderBy(p => p.Key, StringComparer.Ordinal).ToList();

    private static Dictionary<string, object?> ReconfigDot(RenderResourceOptions o, IReadOnlyList<KvSnapshot> snapshots)
    {
        // reconfig hands its templates a map key → value: the whole tree, or the one key (which must exist).
        var map = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var p in ReconfigPairs(o, snapshots))
        {
            map[p.Key] = p.Value;
        }

        if (!o.Recursive && map.Count == 0)
        {
            throw new RenderFailedException($"key {o.Keys[0]} does not exist");
        }

        return map;
    }
}
