using Xunit;

namespace Tend.Templates.Tests;

public sealed class ConfdFunctionTests
{
    private sealed class FakeDns : ITemplateDnsResolver
    {
        public IReadOnlyList<string> LookupIP(string host) => host == "db.example" ? ["10.0.0.9", "::1", "10.0.0.2", "fe80::2"] : [];

        public IReadOnlyList<SrvRecord> LookupSrv(string service, string proto, string name) =>
            service == "ldap" && proto == "tcp" && name == "example.com"
                ? [new SrvRecord("b.example.com.", 389, 10, 5), new SrvRecord("a.example.com.", 636, 20, 1), new SrvRecord("a.example.com.", 389, 10, 1)]
                : [];
    }

    private static readonly InMemoryKeySource Keys = new(new Dictionary<string, string>
    {
        ["/app/name"] = "shop",
        ["/app/db/host"] = "db1",
        ["/app/db/port"] = "5432",
        ["/app/upstream/a"] = "10.0.0.2:80",
        ["/app/upstream/b"] = "10.0.0.1:80",
        ["/app/upstream/c/deep"] = "x",
        ["/app/flags"] = "true",
        ["/other"] = "o",
        ["/apple/pie"] = "sibling that shares the /app string prefix",
    });

    private static string Render(string text, object? data = null)
    {
        var t = GoTemplate.Parse("t", text, new TemplateOptions { Functions = FunctionRegistry.CreateConfd(Keys, new FakeDns()) });
        return t.RenderToString(data);
    }

    private static TemplateExecutionException RenderError(string text, object? data = null) =>
        Assert.Throws<TemplateExecutionException>(() => Render(text, data));

    [Theory]
    [InlineData("{{getv \"/app/name\"}}", "shop")]
    [InlineData("{{getv \"/app/missing\" \"fallback\"}}", "fallback")]
    [InlineData("{{getv \"/app/name\" \"fallback\"}}", "shop")]
    [InlineData("{{(get \"/app/db/host\").Key}}={{(get \"/app/db/host\").Value}}", "/app/db/host=db1")]
    [InlineData("{{get \"/app/db/host\"}}", "{/app/db/host db1}")]
    [InlineData("{{printf \"%+v\" (get \"/app/db/host\")}}", "{Key:/app/db/host Value:db1}")]
    [InlineData("{{exists \"/app/name\"}} {{exists \"/app\"}} {{exists \"/nope\"}}", "true false false")]
    public void KeyLookups_ExistingAndMissingKeys_FollowConfd(string template, string expected) =>
        Assert.Equal(expected, Render(template));

    [Fact]
    public void Getv_MissingKeyWithoutDefault_FailsWithConfdMessage()
    {
        var e = RenderError("x\n {{getv \"/app/missing\"}}");
        Assert.Equal("template: t:2:3: executing \"t\" at <getv \"/app/missing\">: error calling getv: key does not exist: /app/missing", e.Message);
        Assert.Equal(2, e.Line);
        Assert.Equal(3, e.Column);
        Assert.Equal("error calling getv: key does not exist: /app/missing", e.Detail);
    }

    [Fact]
    public void Get_MissingKey_Fails() =>
        Assert.EndsWith("error calling get: key does not exist: /x", RenderError("{{get \"/x\"}}").Message);

    [Theory]
    [InlineData("{{range gets \"/app/upstream/*\"}}{{.Key}}={{.Value}};{{end}}", "/app/upstream/a=10.0.0.2:80;/app/upstream/b=10.0.0.1:80;")]
    [InlineData("{{range getvs \"/app/upstream/*\"}}{{.}};{{end}}", "10.0.0.1:80;10.0.0.2:80;")]
    [InlineData("{{len (gets \"/app/*/*\")}}", "4")]
    [InlineData("{{range gets \"/app/db/[hp]*\"}}{{base .Key}} {{end}}", "host port ")]
    [InlineData("{{range gets \"/app/db/?ort\"}}{{.Value}}{{end}}", "5432")]
    [InlineData("{{gets \"/nothing/*\"}}", "[]")]
    public void Gets_GlobPatterns_MatchLikePathMatch(string template, string expected) =>
        Assert.Equal(expected, Render(template));

    [Fact]
    public void Gets_TenThousandKeysUnderAPrefix_MatchesWithoutASubstringPerCharacter()
    {
        var keys = new InMemoryKeySource(Enumerable.Range(0, 10_000).ToDictionary(i => $"/hosts/host{i:D6}", i => $"10.0.{i / 256}.{i % 256}"));
        var t = GoTemplate.Parse("t", "{{len (gets \"/hosts/*\")}} {{len (gets \"/hosts/h[o]st00000?\")}}", new TemplateOptions { Functions = FunctionRegistry.CreateConfd(keys, new FakeDns()) });
        Assert.Equal("10000 10", t.RenderToString(null));

        long before = GC.GetAllocatedBytesForCurrentThread();
        string again = t.RenderToString(null);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // The matched pairs themselves (10,010 KVPairs, the list and its array) are about 0.5 MB; matching
        // by slicing strings allocated a substring per character, about 12 MB more.
        Assert.Equal("10000 10", again);
        Assert.True(allocated < 2 << 20, $"allocated {allocated} bytes");
    }

    [Fact]
    public void Gets_BadPattern_FailsWithGoError() =>
        Assert.EndsWith("error calling gets: syntax error in pattern", RenderError("{{gets \"/app/[\"}}").Message);

    [Theory]
    [InlineData("{{ls \"/app\"}}", "[db flags name upstream]")]
    [InlineData("{{ls \"/app/upstream\"}}", "[a b c]")]
    [InlineData("{{ls \"/app/name\"}}", "[name]")]
    [InlineData("{{lsdir \"/app\"}}", "[db upstream]")]
    [InlineData("{{lsdir \"/app/upstream\"}}", "[c]")]
    [InlineData("{{ls \"/missing\"}}|{{lsdir \"/missing\"}}", "[]|[]")]
    // confd compares path terms of Clean("/") = ["", ""], so only keys directly under the root show.
    [InlineData("{{ls \"/\"}}", "[other]")]
    public void LsAndLsdir_ListDirectChildren(string template, string expected) =>
        Assert.Equal(expected, Render(template));

    [Theory]
    [InlineData("{{base \"/a/b/c\"}}|{{base \"/a/b/\"}}|{{base \"\"}}|{{base \"/\"}}", "c|b|.|/")]
    [InlineData("{{dir \"/a/b/c\"}}|{{dir \"a\"}}|{{dir \"/\"}}|{{dir \"/a/../b/c\"}}", "/a/b|.|/|/b")]
    [InlineData("{{split \"a,b,,c\" \",\"}}", "[a b  c]")]
    [InlineData("{{len (split \"\" \",\")}}", "1")]
    [InlineData("{{split \"héllo\" \"\"}}", "[h é l l o]")]
    [InlineData("{{join (split \"a,b,c\" \",\") \"-\"}}", "a-b-c")]
    [InlineData("{{toUpper \"abc é\"}}{{toLower \"ÀB\"}}", "ABC Éàb")]
    [InlineData("{{contains \"seafood\" \"foo\"}} {{contains \"x\" \"y\"}}", "true false")]
    [InlineData("{{replace \"oink oink oink\" \"k\" \"ky\" 2}}|{{replace \"oink oink\" \"oink\" \"moo\" -1}}", "oinky oinky oink|moo moo")]
    [InlineData("{{replace \"abc\" \"\" \"-\" -1}}|{{replace \"abc\" \"\" \"-\" 2}}", "-a-b-c-|-a-bc")]
    [InlineData("{{trimSuffix \"file.conf\" \".conf\"}}|{{trimSuffix \"file\" \".conf\"}}", "file|file")]
    public void StringFunctions_BehaveLikeGoStringsAndPath(string template, string expected) =>
        Assert.Equal(expected, Render(template));

    [Fact]
    public void Join_JsonList_IsRejectedLikeGoBecauseItIsNotAStringSlice()
    {
        var data = TemplateData.FromJson("{\"l\":[\"a\",\"b\"]}");
        Assert.EndsWith("wrong type for value; expected []string; got []interface {}", RenderError("{{join .l \",\"}}", data).Message);
    }

    [Theory]
    [InlineData("{{$o := json \"{\\\"a\\\":1,\\\"b\\\":{\\\"c\\\":[true]}}\"}}{{$o.a}} {{printf \"%T\" $o.a}} {{index $o.b.c 0}}", "1 float64 true")]
    [InlineData("{{range jsonArray \"[3,1.5,\\\"x\\\"]\"}}{{.}};{{end}}", "3;1.5;x;")]
    [InlineData("{{$m := map \"a\" 1 \"b\" \"two\"}}{{$m.a}} {{$m.b}} {{len $m}}", "1 two 2")]
    public void DataFunctions_BuildMapsAndParseJson(string template, string expected) =>
        Assert.Equal(expected, Render(template));

    [Theory]
    [InlineData("{{map \"a\"}}", "error calling map: invalid map call")]
    [InlineData("{{map 1 2}}", "error calling map: map keys must be strings")]
    [InlineData("{{json \"[1]\"}}", "error calling json: json: cannot unmarshal array into Go value of type map[string]interface {}")]
    [InlineData("{{json \"\"}}", "error calling json: unexpected end of JSON input")]
    [InlineData("{{jsonArray \"{}\"}}", "error calling jsonArray: json: cannot unmarshal object into Go value of type []interface {}")]
    [InlineData("{{parseBool \"yes\"}}", "error calling parseBool: strconv.ParseBool: parsing \"yes\": invalid syntax")]
    [InlineData("{{atoi \"12a\"}}", "error calling atoi: strconv.Atoi: parsing \"12a\": invalid syntax")]
    [InlineData("{{atoi \"99999999999999999999\"}}", "error calling atoi: strconv.Atoi: parsing \"99999999999999999999\": value out of range")]
    [InlineData("{{div 1 0}}", "error calling div: runtime error: integer divide by zero")]
    [InlineData("{{mod 1 0}}", "error calling mod: runtime error: integer divide by zero")]
    [InlineData("{{base64Decode \"ab$d\"}}", "error calling base64Decode: illegal base64 data at input byte 2")]
    [InlineData("{{base64Decode \"abc\"}}", "error calling base64Decode: illegal base64 data at input byte 0")]
    [InlineData("{{add 1 \"2\"}}", "expected integer; found \"2\"")]
    [InlineData("{{add 1.5 2}}", "expected integer; found 1.5")]
    [InlineData("{{add}}", "wrong number of args for add: want 2 got 0")]
    [InlineData("{{add (index \"a\" 0) 1}}", "wrong type for value; expected int; got uint8")]
    public void Functions_InvalidInput_FailWithGoMessages(string template, string expectedDetail) =>
        Assert.Equal(expectedDetail, RenderError(template).Detail);

    [Theory]
    [InlineData("{{add 2 3}} {{sub 2 3}} {{mul 4 5}} {{div 7 2}} {{div -7 2}} {{mod 7 3}} {{mod -7 3}}", "5 -1 20 3 -3 1 -1")]
    [InlineData("{{seq 1 4}} {{seq 3 1}} {{range seq 0 2}}{{.}}{{end}}", "[1 2 3 4] [] 012")]
    [InlineData("{{atoi \"42\"}} {{atoi \"-7\"}} {{add (atoi \"+1\") 1}}", "42 -7 2")]
    [InlineData("{{parseBool \"T\"}} {{parseBool \"0\"}} {{parseBool \"False\"}}", "true false false")]
    [InlineData("{{base64Encode \"héllo\"}} {{base64Decode \"aMOpbGxv\"}} {{base64Decode \"YQ==\"}}", "aMOpbGxv héllo a")]
    [InlineData("{{reverse (split \"a,b,c\" \",\")}} {{sortByLength (split \"ccc,a,bb\" \",\")}}", "[c b a] [a bb ccc]")]
    [InlineData("{{range sortKVByLength (gets \"/app/*\")}}{{.Key}} {{end}}", "/app/name /app/flags ")]
    [InlineData("{{range reverse (gets \"/app/db/*\")}}{{.Value}} {{end}}", "5432 db1 ")]
    [InlineData("{{printf \"%T %T %T\" (seq 1 2) (split \"a\" \",\") (gets \"/x\")}}", "[]int []string []memkv.KVPair")]
    public void ArithmeticAndListFunctions_FollowConfd(string template, string expected) =>
        Assert.Equal(expected, Render(template));

    [Fact]
    public void Getenv_EmptyOrSet_UsesDefaultOnlyWhenEmpty()
    {
        Environment.SetEnvironmentVariable("TEND_TPL_TEST_VAR", "set");
        Assert.Equal("set|dflt|", Render("{{getenv \"TEND_TPL_TEST_VAR\" \"x\"}}|{{getenv \"TEND_TPL_TEST_UNSET\" \"dflt\"}}|{{getenv \"TEND_TPL_TEST_UNSET\"}}"));
    }

    [Fact]
    public void FileExists_ExistingAndMissingPaths_ReportsExistence()
    {
        string file = Path.GetTempFileName();
        try
        {
            Assert.Equal("true false true", Render($"{{{{fileExists \"{file}\"}}}} {{{{fileExists \"{file}.nope\"}}}} {{{{fileExists \"{Path.GetTempPath()}\"}}}}"));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Datetime_Format_UsesGoLayouts()
    {
        var now = DateTimeOffset.Now;
        string got = Render("{{(datetime).Format \"2006-01-02\"}}|{{datetime.Year}}|{{(datetime).UTC.Format \"Z07:00 Mon Jan\"}}");
        var parts = got.Split('|');
        Assert.True(parts[0] == now.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) || parts[0] == DateTimeOffset.Now.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(now.Year.ToString(System.Globalization.CultureInfo.InvariantCulture), parts[1]);
        Assert.StartsWith("Z ", parts[2], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{{lookupIP \"db.example\"}}", "[10.0.0.2 10.0.0.9 ::1 fe80::2]")]
    [InlineData("{{lookupIPV4 \"db.example\"}}|{{lookupIPV6 \"db.example\"}}", "[10.0.0.2 10.0.0.9]|[::1 fe80::2]")]
    [InlineData("{{lookupIP \"unknown.example\"}}", "[]")]
    [InlineData("{{range lookupSRV \"ldap\" \"tcp\" \"example.com\"}}{{.Target}}:{{.Port}}/{{.Priority}}/{{.Weight}} {{end}}", "a.example.com.:389/10/1 a.example.com.:636/20/1 b.example.com.:389/10/5 ")]
    [InlineData("{{lookupSRV \"x\" \"udp\" \"none\"}}", "[]")]
    public void DnsFunctions_SortResults(string template, string expected) =>
        Assert.Equal(expected, Render(template));

    [Fact]
    public void ListUnder_Prefix_ReturnsSortedPairsStartingWithIt()
    {
        Assert.Equal(["/app/db/host", "/app/db/port"], Keys.ListUnder("/app/db/").Select(kv => kv.Key));
        Assert.Equal(["/app/db/host", "/app/db/port", "/app/flags", "/app/name", "/app/upstream/a", "/app/upstream/b", "/app/upstream/c/deep", "/apple/pie"],
            Keys.ListUnder("/app").Select(kv => kv.Key));
        Assert.Equal(9, Keys.ListUnder("").Count());
        Assert.Empty(Keys.ListUnder("/zzz"));
    }

    [Theory]
    [InlineData("{{ls \"/app/\"}}", "[db flags name upstream]")]
    [InlineData("{{ls \"/apple\"}}|{{lsdir \"/app\"}}", "[pie]|[db upstream]")]
    [InlineData("{{range gets \"/app*/p*\"}}{{.Key}} {{end}}", "/apple/pie ")]
    public void KeyFunctions_SiblingWithSharedStringPrefix_IsNotAChild(string template, string expected) =>
        Assert.Equal(expected, Render(template));

    [Fact]
    public void CreateConfd_ListsEveryConfdFunctionWithSignatureAndDescription()
    {
        var registry = FunctionRegistry.CreateConfd(Keys, new FakeDns());
        string[] confd =
        [
            "getv", "get", "exists", "gets", "getvs", "ls", "lsdir", "base", "dir", "split", "join", "toUpper", "toLower", "contains",
            "replace", "trimSuffix", "json", "jsonArray", "map", "getenv", "datetime", "lookupIP", "lookupIPV4", "lookupIPV6", "lookupSRV",
            "fileExists", "base64Encode", "base64Decode", "parseBool", "reverse", "sortByLength", "sortKVByLength", "add", "sub", "mul",
            "div", "mod", "seq", "atoi",
        ];
        string[] builtins = ["and", "or", "not", "len", "index", "slice", "call", "html", "js", "urlquery", "print", "printf", "println", "eq", "ne", "lt", "le", "gt", "ge"];
        var names = registry.Select(f => f.Name).ToList();
        Assert.Equal(names.Order(StringComparer.Ordinal), names);
        Assert.Equal(confd.Concat(builtins).Order(StringComparer.Ordinal), names);
        Assert.All(registry, f =>
        {
            Assert.StartsWith(f.Name + "(", f.Signature, StringComparison.Ordinal);
            Assert.False(string.IsNullOrWhiteSpace(f.Description));
        });
    }

    [Fact]
    public void ConfdFunctions_WithoutConfdRegistry_AreParseErrors()
    {
        var e = Assert.Throws<TemplateParseException>(() => GoTemplate.Parse("t", "{{getv \"/a\"}}"));
        Assert.Equal("template: t:1: function \"getv\" not defined", e.Message);
    }
}
