using Xunit;

namespace Tend.Templates.Tests;

public sealed class GoTemplateFirstArgumentsTests
{
    private static readonly string[] KeyFunctions = ["key", "tree"];

    private static IReadOnlyList<string?> Arguments(string text) =>
        GoTemplate.Parse("t", text, new TemplateOptions { Functions = FunctionRegistry.CreateConsulTemplate(new InMemoryKeySource([]), new ConsulTemplateDependencies()) })
            .FirstArguments(KeyFunctions);

    [Fact]
    public void FirstArguments_LiteralsEverywhere_AllFoundInOrder()
    {
        var found = Arguments(
            "{{ key \"a/b\" }}{{ if key \"c\" }}{{ range tree \"d\" }}{{ .Key }}{{ end }}{{ else }}{{ with key \"e\" }}{{ . }}{{ end }}{{ end }}" +
            "{{ printf \"%s\" (key \"f\") }}{{ define \"inner\" }}{{ key \"g\" }}{{ end }}{{ template \"inner\" }}{{ $x := key \"h\" }}");

        Assert.Equal(["a/b", "c", "d", "e", "f", "g", "h"], found.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("{{ $p := \"a\" }}{{ key $p }}")]
    [InlineData("{{ key .Path }}")]
    [InlineData("{{ \"a/b\" | key }}")]
    [InlineData("{{ key (printf \"%s/x\" \"a\") }}")]
    [InlineData("{{ range $k := tree (env \"P\") }}{{ end }}")]
    public void FirstArguments_ComputedPath_Null(string text)
    {
        Assert.Contains(null, Arguments(text));
    }

    [Fact]
    public void FirstArguments_OtherFunctionsAndText_Nothing()
    {
        Assert.Empty(Arguments("plain {{ \"key\" }} {{ printf \"%s\" \"tree\" }} {{ env \"HOME\" | len }}"));
    }

    [Fact]
    public void FirstArguments_InsideTemplateCallArgument_Found()
    {
        Assert.Equal(["x"], Arguments("{{ define \"t2\" }}{{ . }}{{ end }}{{ template \"t2\" key \"x\" }}"));
    }
}
