using Xunit;

namespace Tend.Templates.Tests;

/// <summary>
/// The render budget: hostile templates (endless loops, huge values, runaway recursion) fail with
/// an error naming the limit instead of hanging the thread or exhausting memory.
/// </summary>
public sealed class LimitTests
{
    private static readonly TemplateLimits Generous = new() { Timeout = TimeSpan.FromSeconds(30), MaxOutput = 64L << 20, MaxMemory = 256L << 20 };

    private static GoTemplate Parse(string text) =>
        GoTemplate.Parse("hostile.tmpl", text, new TemplateOptions { Functions = FunctionRegistry.CreateConfd(new InMemoryKeySource([]), new NoDns()) });

    private static TemplateExecutionException RenderFails(string text, TemplateLimits limits)
    {
        var t = Parse(text);
        return Assert.Throws<TemplateExecutionException>(() => t.Render(TextWriter.Null, null, limits));
    }

    [Fact]
    public void Render_EagerSeqOfTwoBillion_FailsOnMemoryBeforeAllocating()
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = RenderFails("{{range seq 1 2000000000}}{{.}}{{end}}", Generous);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(TemplateLimitKind.Memory, e.LimitExceeded);
        Assert.Equal("template: hostile.tmpl:1:8: executing \"hostile.tmpl\" at <seq 1 2000000000>: seq of 2000000000 numbers exceeds the memory limit of 256 MiB", e.Message);
        Assert.True(allocated < 1 << 20, $"allocated {allocated} bytes");
    }

    [Fact]
    public void Render_SeqBeyondAnyArray_FailsAsAFunctionError()
    {
        var e = RenderFails("{{seq -9223372036854775807 9223372036854775807}}", TemplateLimits.None);

        Assert.Equal(TemplateLimitKind.None, e.LimitExceeded);
        Assert.Contains("error calling seq: seq of 18446744073709551615 numbers is too long", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_NestedRangesOverAHundredMillionIterations_StopsAtTheTimeLimit()
    {
        var limits = Generous with { Timeout = TimeSpan.FromMilliseconds(200) };
        var e = RenderFails("{{range seq 1 10000}}{{range seq 1 10000}}{{end}}{{end}}", limits);

        Assert.Equal(TemplateLimitKind.Time, e.LimitExceeded);
        Assert.EndsWith("exceeded the time limit of 200ms", e.Message, StringComparison.Ordinal);
        Assert.StartsWith("template: hostile.tmpl:1:", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_ExponentialTemplateRecursion_StopsAtTheTimeLimit()
    {
        var limits = Generous with { Timeout = TimeSpan.FromMilliseconds(200) };
        const string text = """{{define "t"}}{{if lt (len .) 60}}{{template "t" (printf "%sx" .)}}{{template "t" (printf "%sy" .)}}{{end}}{{end}}{{template "t" ""}}""";

        var e = RenderFails(text, limits);

        Assert.Equal(TemplateLimitKind.Time, e.LimitExceeded);
    }

    [Fact]
    public void Render_EndlessSelfRecursion_StopsAtGosDepthLimit()
    {
        var e = RenderFails("""{{define "t"}}{{template "t" .}}{{end}}{{template "t" .}}""", Generous);

        Assert.Equal(TemplateLimitKind.None, e.LimitExceeded);
        Assert.EndsWith("exceeded maximum template depth (100000)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_RecursionDoublingAString_StopsAtTheMemoryLimit()
    {
        var limits = Generous with { MaxMemory = 16L << 20 };
        var e = RenderFails("""{{define "d"}}{{template "d" (printf "%s%s" . .)}}{{end}}{{template "d" "x"}}""", limits);

        Assert.Equal(TemplateLimitKind.Memory, e.LimitExceeded);
        Assert.Contains("exceeds the memory limit of 16 MiB", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_DeepRecursionHoldingLargeValues_StopsAtTheMemoryLimit()
    {
        // Each level keeps its own 80 MB list alive: 100000 levels would need 8 TB.
        var limits = Generous with { MaxMemory = 64L << 20 };
        var e = RenderFails("""{{define "r"}}{{$x := seq 1 1000000}}{{template "r" .}}{{end}}{{template "r" .}}""", limits);

        Assert.Equal(TemplateLimitKind.Memory, e.LimitExceeded);
    }

    [Fact]
    public void Render_ReplaceMultiplyingAString_FailsBeforeBuildingIt()
    {
        var e = RenderFails("""{{$big := printf "%1000000s" ""}}{{replace $big " " $big -1}}""", Generous);

        Assert.Equal(TemplateLimitKind.Memory, e.LimitExceeded);
        Assert.Contains("at <replace $big \" \" $big -1>: replace result of 1000000000000 characters exceeds the memory limit of 256 MiB", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_JoinWithAHugeSeparator_FailsBeforeBuildingIt()
    {
        var e = RenderFails("""{{$sep := printf "%1000000s" ""}}{{join (split $sep "") $sep}}""", Generous);

        Assert.Equal(TemplateLimitKind.Memory, e.LimitExceeded);
        Assert.Contains("join of 1000000 strings", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_PrintfWithManyMaximalWidths_StopsFormattingAtTheMemoryLimit()
    {
        var limits = Generous with { MaxMemory = 8L << 20 };
        string verbs = string.Concat(Enumerable.Repeat("%1000000d", 1000));
        var e = RenderFails("{{printf \"" + verbs + "\"" + string.Concat(Enumerable.Repeat(" 1", 1000)) + "}}", limits);

        Assert.Equal(TemplateLimitKind.Memory, e.LimitExceeded);
        Assert.Contains("formatted text exceeds the memory limit of 8 MiB", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_OutputBeyondTheBound_FailsNamingTheBound()
    {
        var limits = Generous with { MaxOutput = 1L << 20 };
        var output = new StringWriter();
        var t = Parse("{{range seq 1 1000000}}0123456789{{end}}");

        var e = Assert.Throws<TemplateExecutionException>(() => t.Render(output, null, limits));

        Assert.Equal(TemplateLimitKind.Output, e.LimitExceeded);
        Assert.EndsWith("output exceeds the limit of 1 MiB", e.Message, StringComparison.Ordinal);
        Assert.True(output.GetStringBuilder().Length <= 1 << 20);
    }

    [Fact]
    public void Render_OutputExactlyAtTheBound_Succeeds()
    {
        var limits = Generous with { MaxOutput = 10 };
        Assert.Equal("0123456789", Parse("{{range seq 0 9}}{{.}}{{end}}").RenderToString(null, limits));
    }

    [Fact]
    public async Task Render_CancelledWhileLooping_ThrowsOperationCanceledPromptly()
    {
        var t = Parse("{{range seq 1 100000}}{{range seq 1 100000}}{{end}}{{end}}");
        using var cts = new CancellationTokenSource();
        var render = Task.Run(() => t.Render(TextWriter.Null, null, Generous with { Timeout = null }, cts.Token));
        await Task.Delay(100);
        await cts.CancelAsync();

        // No time limit is set: only the token can stop it.
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => render.WaitAsync(TimeSpan.FromSeconds(60)));
    }

    [Fact]
    public void Render_StructMethodResultsBeyondTheBudget_StopAtTheMemoryLimit()
    {
        // A declared struct's method builds its value outside the engine: its result counts like a function's.
        var limits = Generous with { MaxMemory = 1L << 20 };
        var t = Parse("{{range seq 1 100}}{{$x := $.Text}}{{end}}");

        var e = Assert.Throws<TemplateExecutionException>(() => t.Render(TextWriter.Null, new Blob(100_000), limits));

        Assert.Equal(TemplateLimitKind.Memory, e.LimitExceeded);
        Assert.Contains("at <$.Text>: values built by functions exceed the memory limit of 1 MiB", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_AfterALimitedRender_TheNextUnlimitedRenderOnTheThreadHasNoBudget()
    {
        RenderFails("{{seq 1 100000}}", Generous with { MaxMemory = 1024 });

        // The budget belonged to the failed render only.
        Assert.Equal("100000", Parse("{{len (seq 1 100000)}}").RenderToString(null));
    }

    private sealed class Blob(int length) : ITemplateStruct
    {
        private static readonly TemplateStructType Type = new TemplateStructBuilder<Blob>("main.Blob")
            .Method("Text", static b => new string('x', b.Length))
            .Build();

        public int Length { get; } = length;

        public TemplateStructType TemplateType => Type;
    }

    // The hostile templates make no lookups: a resolver that answers nothing keeps the test off the system's DNS.
    private sealed class NoDns : ITemplateDnsResolver
    {
        public IReadOnlyList<string> LookupIP(string host) => [];

        public IReadOnlyList<SrvRecord> LookupSrv(string service, string proto, string name) => [];
    }
}
