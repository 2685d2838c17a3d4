using Tend.Modules.Render;
using Tend.Templates;
using Xunit;

namespace Tend.Modules.Tests.Render;

public sealed class ConsulTemplateKeyScopeTests
{
    private static IReadOnlyList<string>? Prefixes(string text) =>
        ConsulTemplateKeyScope.Prefixes(GoTemplate.Parse("t", text, new TemplateOptions { Functions = FunctionRegistry.CreateConsulTemplate(new InMemoryKeySource([]), new ConsulTemplateDependencies()) }));

    [Fact]
    public void Prefixes_PathsUnderOneName_TheDeepestSharedPath()
    {
        Assert.Equal(["/service/redis"], Prefixes("{{ key \"service/redis/max\" }}{{ keyOrDefault \"/service/redis/min/\" \"1\" }}{{ range ls \"service/redis\" }}{{ end }}"));
    }

    [Fact]
    public void Prefixes_SeveralTopLevelNames_OnePrefixEach()
    {
        Assert.Equal(["/app/db/host", "/service"], Prefixes("{{ key \"app/db/host\" }}{{ keyExists \"service/a\" }}{{ range tree \"service/b/c\" }}{{ end }}"));
    }

    [Fact]
    public void Prefixes_SameNameButNotSamePath_PrefixIsTheNameOnly()
    {
        Assert.Equal(["/app"], Prefixes("{{ key \"app/x\" }}{{ key \"app/y/z\" }}"));
    }

    [Fact]
    public void Prefixes_ComputedPath_NullForTheWholeStore()
    {
        Assert.Null(Prefixes("{{ key \"app/x\" }}{{ $n := \"y\" }}{{ key (printf \"app/%s\" $n) }}"));
    }

    [Fact]
    public void Prefixes_TheRootItself_TheWholeStore()
    {
        Assert.Equal(["/"], Prefixes("{{ key \"app/x\" }}{{ range tree \"/\" }}{{ end }}"));
    }

    [Fact]
    public void Prefixes_NoKeyFunctionsEmptyOrDatacenterPaths_Nothing()
    {
        Assert.Equal([], Prefixes("static {{ key \"\" }}{{ range ls \"\" }}{{ end }}") ?? ["(null)"]);
        Assert.Equal([], Prefixes("{{ if false }}{{ key \"a@dc2\" }}{{ end }}") ?? ["(null)"]);
    }
}
