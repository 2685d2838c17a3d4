using System.Globalization;
using Tend.Core.Mirror;
using Tend.Modules.Render.Config;
using Xunit;

namespace Tend.Modules.Tests.Render;

/// <summary>
/// A render reads all its prefixes as of one store revision: a transaction that changes two watched
/// prefixes is rendered whole, never half old and half new, even though each prefix has a watch of its own.
/// The check command records every staged file, so a torn render is caught even when a later render
/// overwrote it.
/// </summary>
public abstract partial class RenderStoreTests
{
    private const int Transactions = 120;

    [SkippableFact]
    public async Task Watch_TransactionsOnTwoPrefixes_EveryStagedFileFromOneRevision()
    {
        var staged = Marker("staged");
        var r = PairResource(staged);
        await WriteTogetherAsync([(Root + "/left/n", "0"), (Root + "/right/n", "0")]);
        await using var mirrors = new KvMirrorSet(Store);
        await using var module = Module(new RenderOptions { Templates = [r] }, mirrors);
        module.Start();
        await Eventually(() => Read(r.Destination) == "0 0\n");

        await WriteTransactionsAsync();

        await Eventually(() => Read(r.Destination) == $"{Transactions} {Transactions}\n");
        AssertNoTornRender(staged);
        Assert.Null(module.Status[0].LastError);
    }

    [SkippableFact]
    public async Task Interval_TransactionsOnTwoPrefixes_EveryStagedFileFromOneRevision()
    {
        var staged = Marker("staged");
        var r = PairResource(staged);
        await WriteTogetherAsync([(Root + "/left/n", "0"), (Root + "/right/n", "0")]);
        await using var module = Module(new RenderOptions { Templates = [r], Interval = TimeSpan.FromMilliseconds(5) }, mirrors: null);
        module.Start();
        await Eventually(() => Read(r.Destination) == "0 0\n");

        await WriteTransactionsAsync();

        await Eventually(() => Read(r.Destination) == $"{Transactions} {Transactions}\n");
        AssertNoTornRender(staged);
    }

    [SkippableFact]
    public async Task Watch_OnePrefixQuiet_OtherChangesStillRender()
    {
        // The quiet prefix's watch never carries a newer revision: catching it up must not wait for one.
        await WriteTogetherAsync([(Root + "/quiet/k", "q"), (Root + "/busy/n", "0")]);
        var r = Resource("mixed", "{{getv \"/quiet/k\"}} {{getv \"/busy/n\"}}\n", ["/quiet", "/busy"]);
        await using var mirrors = new KvMirrorSet(Store);
        await using var module = Module(new RenderOptions { Templates = [r] }, mirrors);
        module.Start();
        await Eventually(() => Read(r.Destination) == "q 0\n");

        for (int i = 1; i <= 5; i++)
        {
            await WriteAsync(Root + "/busy/n", i.ToString(CultureInfo.InvariantCulture));
            await Eventually(() => Read(r.Destination) == $"q {i}\n");
        }

        Assert.Null(module.Status[0].LastError);
    }

    private RenderResourceOptions PairResource(string staged) =>
        Resource("pair", "{{getv \"/left/n\"}} {{getv \"/right/n\"}}\n", ["/left", "/right"])
            with { CheckCommand = "cat {{.src}} >> " + staged };

    private async Task WriteTransactionsAsync()
    {
        for (int i = 1; i <= Transactions; i++)
        {
            var n = i.ToString(CultureInfo.InvariantCulture);
            await WriteTogetherAsync([(Root + "/left/n", n), (Root + "/right/n", n)]);

            // Paced so that most transactions get a render of their own, each starting as soon as the
            // first of the two watches has delivered its half.
            await Task.Delay(i % 3 == 0 ? 1 : 12);
        }
    }

    private static void AssertNoTornRender(string staged)
    {
        var lines = Lines(staged);
        Assert.NotEmpty(lines);
        var torn = lines.Where(l => l.Split(' ') is var parts && (parts.Length != 2 || parts[0] != parts[1])).ToList();
        Assert.True(torn.Count == 0, $"{torn.Count} of {lines.Length} staged files mixed two revisions, e.g. '{torn.FirstOrDefault()}'");
    }
}
