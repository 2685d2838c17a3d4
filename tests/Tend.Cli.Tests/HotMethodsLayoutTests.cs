using System.Diagnostics;
using System.Globalization;
using Xunit;

namespace Tend.Cli.Tests;

/// <summary>
/// The shipped binary lays out the methods of src/Tend/hot-methods.txt side by side at the start of its code, so a
/// onetime render maps ~1.5 MB of code instead of ~7.5 MB (docs/benchmarks.md, "Onetime peak RSS"). Reads the
/// symbols of the binary ./test.sh publishes (TEND_BIN, with tend.dbg beside it).
/// </summary>
public sealed class HotMethodsLayoutTests
{
    [Fact]
    public async Task HotMethods_ShippedBinary_LaidOutTogetherBeforeAllOtherCode()
    {
        var bin = Environment.GetEnvironmentVariable("TEND_BIN");
        Assert.False(string.IsNullOrEmpty(bin), "TEND_BIN is not set: ./test.sh publishes the NativeAOT binary (with its tend.dbg) and sets it");
        var symbols = Path.ChangeExtension(Path.GetFullPath(bin), ".dbg");
        Assert.True(File.Exists(symbols), $"{symbols}: no symbols beside the binary; dotnet publish writes tend.dbg");

        var (start, stop, code) = await ManagedCodeAsync(symbols);
        var listed = File.ReadAllLines(Path.Combine(TendProcess.RepoRoot, "src", "Tend", "hot-methods.txt"))
            .Where(l => l.Length > 0).ToHashSet(StringComparer.Ordinal);

        // Names change as the code does, and the compiler ignores those it does not know: a list that has gone stale
        // would leave the layout to chance without failing the build.
        int known = listed.Count(code.ContainsKey);
        Assert.True(known >= listed.Count * 3 / 4, $"only {known} of the {listed.Count} methods in src/Tend/hot-methods.txt are in the binary: rerun tools/method-order/profile.sh");

        var hot = listed.Where(code.ContainsKey).Select(n => code[n]).ToHashSet();
        long end = hot.Max();
        var between = code.Where(c => c.Value <= end && !hot.Contains(c.Value)).Select(c => c.Key).Take(3).ToList();
        Assert.True(between.Count == 0, $"methods outside the list lie among the listed ones (e.g. {string.Join(", ", between)}): IlcOrderFile is not applied");
        Assert.True(end - start < (stop - start) / 4, $"the listed methods span {end - start} of {stop - start} bytes of code");
    }

    /// <summary>The managed code's bounds and each method's address in it (the first name at an address wins), from nm.</summary>
    private static async Task<(long Start, long Stop, Dictionary<string, long> Code)> ManagedCodeAsync(string symbols)
    {
        var psi = new ProcessStartInfo("nm") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add("--defined-only");
        psi.ArgumentList.Add(symbols);
        using var nm = Process.Start(psi)!;
        var errors = nm.StandardError.ReadToEndAsync();
        var rows = new List<(long Address, char Kind, string Name)>();
        while (await nm.StandardOutput.ReadLineAsync() is { } line)
        {
            var parts = line.Split(' ', 3);
            if (parts.Length == 3 && long.TryParse(parts[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var address))
            {
                rows.Add((address, parts[1][0], parts[2]));
            }
        }

        await nm.WaitForExitAsync();
        Assert.True(nm.ExitCode == 0, $"nm {symbols}: {await errors}");
        long start = rows.Single(r => r.Name == "__start___managedcode").Address;
        long stop = rows.Single(r => r.Name == "__stop___managedcode").Address;
        var code = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (address, kind, name) in rows)
        {
            if (kind is 't' or 'T' && address >= start && address < stop)
            {
                code.TryAdd(name, address);
            }
        }

        return (start, stop, code);
    }
}
