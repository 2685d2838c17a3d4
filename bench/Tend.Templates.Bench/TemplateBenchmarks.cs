using System.Text;
using BenchmarkDotNet.Attributes;

namespace Tend.Templates.Bench;

/// <summary>Render and parse benchmarks; Go's numbers come from gotmpl-oracle -bench and bench/goparse on the same inputs.</summary>
[MemoryDiagnoser]
public class TemplateBenchmarks
{
    private readonly StringBuilder _buffer = new(4 << 20);
    private StringWriter _writer = null!;
    private GoTemplate _nagios = null!;
    private object? _nagiosData;
    private GoTemplate _nested = null!;
    private object? _nestedData;
    private string _long = "";

    // What the render module passes: its default limits and the module's stop token.
    private readonly TemplateLimits _limits = new() { Timeout = TimeSpan.FromSeconds(10), MaxOutput = 64L << 20, MaxMemory = 256L << 20 };
    private readonly CancellationTokenSource _stop = new();

    [GlobalSetup]
    public void Setup()
    {
        _writer = new StringWriter(_buffer, System.Globalization.CultureInfo.InvariantCulture);
        _nagios = GoTemplate.Parse("bench", BenchInputs.NagiosTemplate);
        _nagiosData = TemplateData.FromJson(BenchInputs.NagiosJson(10_000));
        _nested = GoTemplate.Parse("bench", BenchInputs.NestedTemplate);
        _nestedData = TemplateData.FromJson(BenchInputs.NestedJson(1_000));
        _long = BenchInputs.LongTemplate();
    }

    [Benchmark]
    public int NagiosHosts10k()
    {
        _buffer.Clear();
        _nagios.Render(_writer, _nagiosData);
        return _buffer.Length;
    }

    [Benchmark]
    public int NestedRangeIfPrintf1k()
    {
        _buffer.Clear();
        _nested.Render(_writer, _nestedData);
        return _buffer.Length;
    }

    [Benchmark]
    public int NagiosHosts10kWithinLimits()
    {
        _buffer.Clear();
        _nagios.Render(_writer, _nagiosData, _limits, _stop.Token);
        return _buffer.Length;
    }

    [Benchmark]
    public int NestedRangeIfPrintf1kWithinLimits()
    {
        _buffer.Clear();
        _nested.Render(_writer, _nestedData, _limits, _stop.Token);
        return _buffer.Length;
    }

    [Benchmark]
    public GoTemplate Parse500Lines() => GoTemplate.Parse("bench", _long);
}
