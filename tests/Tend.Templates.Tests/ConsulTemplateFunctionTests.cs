using Xunit;

namespace Tend.Templates.Tests;

/// <summary>consul-template's functions: the examples of its documentation rendered as documented, and its edge cases.</summary>
public sealed class ConsulTemplateFunctionTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 5, 13, 4, 5, TimeSpan.Zero);

    private static readonly InMemoryKeySource Keys = new(new Dictionary<string, string>
    {
        ["/service/redis/maxconns"] = "15",
        ["/service/redis/minconns"] = "5",
        ["/service/redis/nested/config/value"] = "value",
        ["/service/redisfoo/other"] = "not below service/redis",
        ["/config/admin/port"] = "1234",
        ["/config/maxconns"] = "5",
        ["/config/minconns"] = "2",
        ["/groups/elasticsearch/es1"] = "1",
        ["/groups/elasticsearch/es2"] = "1",
        ["/groups/redis/redis1"] = "1",
        ["/user/info"] = "{\"name\":\"Seth\",\"age\":33}",
        ["/user/name"] = "Seth Vargo",
        ["/app/beta_active"] = "",
        ["/hosts"] = "a\nb\nc\n",
    });

    private static string Render(string text, ConsulTemplateDependencies? dependencies = null, string? left = null, string? right = null)
    {
        var options = new TemplateOptions
        {
            Functions = FunctionRegistry.CreateConsulTemplate(Keys, dependencies ?? new ConsulTemplateDependencies(), now: () => Now),
            MissingKey = MissingKeyMode.Zero,
            LeftDelimiter = left,
            RightDelimiter = right,
        };
        return GoTemplate.Parse("t", text, options).RenderToString(null);
    }

    private static string RenderError(string text) => Assert.Throws<TemplateExecutionException>(() => Render(text)).Message;

    [Theory]
    [InlineData("{{ key \"service/redis/maxconns\" }}", "15")]
    [InlineData("{{ key \"/service/redis/maxconns\" }}", "15")]
    [InlineData("{{ key \"service//redis/maxconns/\" }}", "15")]
    [InlineData("{{ keyOrDefault \"service/redis/maxconns\" \"5\" }}", "15")]
    [InlineData("{{ keyOrDefault \"service/redis/absent\" \"5\" }}", "5")]
    [InlineData("{{ keyOrDefault \"app/beta_active\" \"empty is default\" }}", "empty is default")]
    [InlineData("{{ if keyExists \"app/beta_active\" }}beta{{ else }}stable{{ end }}", "beta")]
    [InlineData("{{ keyExists \"app/absent\" }}", "false")]
    [InlineData("{{ range ls \"service/redis\" }}{{ .Key }}:{{ .Value }}\n{{ end }}", "maxconns:15\nminconns:5\n")]
    [InlineData("{{ range tree \"service/redis\" }}{{ .Key }}:{{ .Value }} {{ end }}", "maxconns:15 minconns:5 nested/config/value:value ")]
    [InlineData("{{ range tree \"service/redis/\" }}{{ .Path }} {{ end }}", "service/redis/maxconns service/redis/minconns service/redis/nested/config/value ")]
    [InlineData("{{ len (ls \"service/absent\") }} {{ len (tree \"service/absent\") }} {{ len (ls \"\") }}", "0 0 0")]
    [InlineData("{{ range $key, $pairs := tree \"groups\" | byKey }}{{ $key }}:\n{{ range $pair := $pairs }}  {{ .Key }}={{ .Value }}\n{{ end }}{{ end }}", "elasticsearch:\n  es1=1\n  es2=1\nredis:\n  redis1=1\n")]
    [InlineData("{{ tree \"config\" | explode | toJSON }}", "{\"admin\":{\"port\":\"1234\"},\"maxconns\":\"5\",\"minconns\":\"2\"}")]
    [InlineData("{{ tree \"config\" | explode | toJSONPretty }}", "{\n  \"admin\": {\n    \"port\": \"1234\"\n  },\n  \"maxconns\": \"5\",\n  \"minconns\": \"2\"\n}")]
    [InlineData("{{ with $d := key \"user/info\" | parseJSON }}{{ $d.name }} {{ $d.age }}{{ end }}", "Seth 33")]
    [InlineData("{{ key \"user/name\" | toLower }}|{{ key \"user/name\" | toUpper }}|{{ \"hello wORLD-x_y z'a\" | toTitle }}", "seth vargo|SETH VARGO|Hello WORLD-X_y Z'A")]
    [InlineData("{{ range key \"hosts\" | split \"\\n\" }}[{{ . }}]{{ end }}", "[a][b][c]")]
    [InlineData("{{ len (\"  \" | split \",\") }}", "0")]
    [InlineData("{{ key \"hosts\" | split \"\\n\" | join \",\" }}", "a,b,c")]
    public void KvAndData_DocumentedExamples_RenderAsDocumented(string template, string expected) =>
        Assert.Equal(expected, Render(template));

    [Theory]
    [InlineData("{{ \"foo.bar\" | regexMatch \"foo([.a-z]+)\" }}", "true")]
    [InlineData("{{ \"foo.bar\" | regexReplaceAll \"foo([.a-z]+)\" \"$1\" }}", ".bar")]
    [InlineData("{{ \"a1b22\" | regexReplaceAll \"(?P<d>[0-9]+)\" \"<${d}>\" }}", "a<1>b<22>")]
    [InlineData("{{ \"ab\" | regexReplaceAll \"(a)(b)\" \"$2$1x$$ $1x ${1}x\" }}", "b$  ax")]
    [InlineData("{{ \"a(x\" | regexReplaceAll \"(\\\\(?)(?P<n>x)\" \"[$1|$2|$n]\" }}", "a[(|x|x]")]
    [InlineData("{{ \"foo.bar\" | replaceAll \".\" \"_\" }}", "foo_bar")]
    [InlineData("{{ \" \\t padded \\n\" | trimSpace }}", "padded")]
    [InlineData("{{ \"a\\nb\\n\\nc\" | indent 2 }}", "  a\n  b\n\n  c")]
    [InlineData("{{ \"hello\" | base64Encode }} {{ \"aGVsbG8=\" | base64Decode }}", "aGVsbG8= hello")]
    [InlineData("{{ \"??>\" | base64URLEncode }} {{ \"Pz8-\" | base64URLDecode }}", "Pz8- ??>")]
    [InlineData("{{ \"hello\" | sha256Hex }}", "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824")]
    [InlineData("{{ \"true\" | parseBool }} {{ \"\" | parseBool }} {{ \"-42\" | parseInt }} {{ \"42\" | parseUint }} {{ \"1.5\" | parseFloat }} {{ \"1e21\" | parseFloat }}", "true false -42 42 1.5 1e+21")]
    [InlineData("{{ toJSON \"<a&b>\\u2028\\x01\" }}", "\"\\u003ca\\u0026b\\u003e\\u2028\\u0001\"")]
    [InlineData("{{ \"[1.5, 1e-7, 1e21, 100, null, true]\" | parseJSON | toJSON }}", "[1.5,1e-7,1e+21,100,null,true]")]
    [InlineData("{{ toJSONPretty (parseJSON \"{}\") }}{{ toJSON (parseJSON \"[]\") }}", "{}[]")]
    public void Helpers_DocumentedExamples_RenderAsDocumented(string template, string expected) =>
        Assert.Equal(expected, Render(template));

    [Theory]
    [InlineData("{{ range $i := loop 5 }}id={{ $i }} {{ end }}", "id=0 id=1 id=2 id=3 id=4 ")]
    [InlineData("{{ range $i := loop 5 8 }}{{ $i }}{{ end }}", "567")]
    [InlineData("{{ range loop 3 1 }}x{{ end }}", "")]
    [InlineData("{{ add 1 2 }} {{ 1 | add 2 }} {{ add 1 2.5 }}", "3 3 3.5")]
    [InlineData("{{ subtract 1 2 }} {{ 10 | subtract 3 }} {{ 2.5 | subtract 1 }}", "1 7 1.5")]
    [InlineData("{{ 2 | multiply 2 }} {{ 7 | divide 2 }} {{ 7.0 | divide 2 }} {{ 7 | modulo 2 }}", "4 3 3.5 1")]
    [InlineData("{{ if in (split \",\" \"a,b\") \"b\" }}yes{{ end }} {{ in \"abc\" \"bc\" }} {{ \"abc\" | contains \"x\" }}", "yes true false")]
    [InlineData("{{ $l := split \",\" \"a,b,c\" }}{{ containsAll (split \",\" \"a,c\") $l }} {{ containsAny (split \",\" \"x,c\") $l }} {{ containsNone (split \",\" \"x,y\") $l }} {{ containsNotAll (split \",\" \"a,x\") $l }}", "true true true true")]
    [InlineData("{{ $l := split \",\" \"a,b,c\" }}{{ containsAll (split \",\" \"a,x\") $l }} {{ containsAny (split \",\" \"x,y\") $l }} {{ containsNone (split \",\" \"x,a\") $l }} {{ containsNotAll (split \",\" \"a,b\") $l }}", "false false false false")]
    [InlineData("{{ timestamp }} {{ timestamp \"2006-01-02\" }} {{ timestamp \"unix\" }}", "2026-12-05T13:04:05Z 2026-12-05 1796475845")]
    public void Collections_ArithmeticAndTime_AsConsulTemplate(string template, string expected) =>
        Assert.Equal(expected, Render(template));

    /// <summary>
    /// One template of key functions rendered by consul-template v0.20.1 against a Consul agent holding the
    /// same keys; Tend's output is byte for byte the same but for the last number: Consul lists
    /// <c>service/redis</c> as a string prefix (so <c>service/redisfoo/x</c> too), Tend's prefixes are paths.
    /// </summary>
    [Fact]
    public void KvFunctions_TemplateRenderedByConsulTemplate_SameBytes()
    {
        var keys = new InMemoryKeySource(new Dictionary<string, string>
        {
            ["/service/redis/maxconns"] = "15",
            ["/service/redis/minconns"] = "5",
            ["/service/redis/nested/config/value"] = "value",
            ["/service/redisfoo/x"] = "1",
            ["/groups/elasticsearch/es1"] = "1",
            ["/groups/redis/redis1"] = "1",
        });
        const string template =
            "{{ range ls \"service/redis\" }}{{ .Key }}:{{ .Value }} {{ .Path }}\n" +
            "{{ end }}{{ range tree \"service/redis/\" }}{{ .Key }}:{{ .Value }}\n" +
            "{{ end }}{{ range $key, $pairs := tree \"groups\" | byKey }}{{ $key }}:\n" +
            "{{ range $pair := $pairs }}  {{ .Key }}={{ .Value }}\n" +
            "{{ end }}{{ end }}{{ key \"service/redis/maxconns\" }} {{ keyOrDefault \"nope\" \"d\" }} {{ keyExists \"service/redis\" }}\n" +
            "{{ tree \"service/redis/\" | explode | toJSON }} {{ tree \"service/redis\" | len }}\n" +
            "";
        const string consulTemplateOutput =
            "maxconns:15 service/redis/maxconns\n" +
            "minconns:5 service/redis/minconns\n" +
            "maxconns:15\n" +
            "minconns:5\n" +
            "nested/config/value:value\n" +
            "elasticsearch:\n" +
            "  es1=1\n" +
            "redis:\n" +
            "  redis1=1\n" +
            "15 d false\n" +
            "{\"maxconns\":\"15\",\"minconns\":\"5\",\"nested\":{\"config\":{\"value\":\"value\"}}} 3\n" +
            "";

        var functions = FunctionRegistry.CreateConsulTemplate(keys, new ConsulTemplateDependencies());
        Assert.Equal(consulTemplateOutput, GoTemplate.Parse("t", template, new TemplateOptions { Functions = functions }).RenderToString(null));
    }

    /// <summary>One template of helpers rendered by consul-template v0.20.1 itself; Tend's output is byte for byte the same.</summary>
    [Fact]
    public void Helpers_TemplateRenderedByConsulTemplate_SameBytes()
    {
        const string template =
            "{{ \"hello wORLD-x_y z'a ça\" | toTitle }}\n" +
            "{{ \"foo.bar\" | regexReplaceAll \"foo([.a-z]+)\" \"$1\" }}\n" +
            "{{ \"ab\" | regexReplaceAll \"(a)(b)\" \"$2$1x$$ $1x ${1}x\" }}\n" +
            "{{ \"a\\nb\\n\\nc\" | indent 2 }}\n" +
            "{{ \"??>\" | base64URLEncode }}\n" +
            "{{ \"true\" | parseBool }} {{ \"\" | parseBool }} {{ \"-42\" | parseInt }} {{ \"42\" | parseUint }} {{ \"1.5\" | parseFloat }} {{ \"1e21\" | parseFloat }}\n" +
            "{{ toJSON \"<a&b>\\u2028\\x01\" }}\n" +
            "{{ \"[1.5, 1e-7, 1e21, 100, null, true, {\\\"b\\\":1,\\\"a\\\":[]}]\" | parseJSON | toJSON }}\n" +
            "{{ \"{\\\"b\\\":1,\\\"a\\\":[], \\\"c\\\":{\\\"d\\\":[1,2]}}\" | parseJSON | toJSONPretty }}\n" +
            "{{ add 1 2 }} {{ 1 | add 2 }} {{ add 1 2.5 }} {{ subtract 1 2 }} {{ 10 | subtract 3 }} {{ 2.5 | subtract 1 }}\n" +
            "{{ 2 | multiply 2 }} {{ 7 | divide 2 }} {{ 7.0 | divide 2 }} {{ 7 | modulo 2 }}\n" +
            "{{ range $i := loop 5 8 }}{{ $i }}{{ end }}\n" +
            "{{ len (\"  \" | split \",\") }}\n" +
            "";
        const string consulTemplateOutput =
            "Hello WORLD-X_y Z'A Ça\n" +
            ".bar\n" +
            "b$  ax\n" +
            "  a\n" +
            "  b\n" +
            "\n" +
            "  c\n" +
            "Pz8-\n" +
            "true false -42 42 1.5 1e+21\n" +
            "\"\\u003ca\\u0026b\\u003e\\u2028\\u0001\"\n" +
            "[1.5,1e-7,1e+21,100,null,true,{\"a\":[],\"b\":1}]\n" +
            "{\n" +
            "  \"a\": [],\n" +
            "  \"b\": 1,\n" +
            "  \"c\": {\n" +
            "    \"d\": [\n" +
            "      1,\n" +
            "      2\n" +
            "    ]\n" +
            "  }\n" +
            "}\n" +
            "3 3 3.5 1 7 1.5\n" +
            "4 3 3.5 1\n" +
            "567\n" +
            "0\n" +
            "";

        Assert.Equal(consulTemplateOutput, Render(template));
    }

    [Fact]
    public void Env_SetVariable_ItsValue()
    {
        Environment.SetEnvironmentVariable("TEND_CT_TEST_VAR", "from-env");
        Assert.Equal("from-env|", Render("{{ env \"TEND_CT_TEST_VAR\" }}|{{ env \"TEND_CT_TEST_UNSET\" }}"));
    }

    [Fact]
    public void File_ExistingFile_ItsContentsMissingFile_Waits()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, " 1.0 \n");
            Assert.Equal("1.0", Render($"{{{{ file \"{path}\" | trimSpace }}}}"));
            var deps = new ConsulTemplateDependencies();
            Assert.Equal("", Render($"{{{{ file \"{path}.absent\" }}}}", deps));
            Assert.Equal([$"file({path}.absent)"], deps.Missing);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Key_MissingKey_RendersEmptyAndRecordsTheBlockingDependency()
    {
        var deps = new ConsulTemplateDependencies();

        var text = Render("a={{ key \"app/absent\" }} b={{ key \"service/redis/maxconns\" }} c={{ key \"app/absent\" }} d={{ keyOrDefault \"app/other\" \"x\" }}", deps);

        Assert.Equal("a= b=15 c= d=x", text);
        Assert.Equal(["kv.block(app/absent)"], deps.Missing);
        deps.Reset();
        Assert.Empty(deps.Missing);
    }

    [Fact]
    public void SafeLsAndSafeTree_EmptyPrefix_WaitLsAndTreeDoNot()
    {
        var deps = new ConsulTemplateDependencies();

        Render("{{ ls \"empty\" }}{{ tree \"empty\" }}{{ safeLs \"service/redis\" }}{{ safeTree \"config\" }}", deps);
        Assert.Empty(deps.Missing);

        Render("{{ safeLs \"empty/a\" }}{{ safeTree \"empty/b\" }}{{ safeLs \"service/redis/nested\" }}", deps);
        Assert.Equal(["kv.list(empty/a)", "kv.list(empty/b)", "kv.list(service/redis/nested)"], deps.Missing);
    }

    [Fact]
    public void Ls_PrefixIsAPath_SiblingWithTheSameStringPrefixIsNotListed() =>
        Assert.Equal("maxconns minconns ", Render("{{ range ls \"service/redis\" }}{{ .Key }} {{ end }}"));

    [Theory]
    [InlineData("{{ key \"app@dc1\" }}", "datacenter")]
    [InlineData("{{ divide 0 1 }}", "error calling divide: runtime error: integer divide by zero")]
    [InlineData("{{ modulo 2 1.5 }}", "error calling modulo: modulo: unknown type for %!q(float64=1.5) (float64)")]
    [InlineData("{{ add \"a\" 1 }}", "error calling add: add: unknown type for \"a\" (string)")]
    [InlineData("{{ \"x\" | parseInt }}", "error calling parseInt: parseInt: strconv.ParseInt: parsing \"x\": invalid syntax")]
    [InlineData("{{ \"99999999999999999999\" | parseInt }}", "parseInt: strconv.ParseInt: parsing \"99999999999999999999\": value out of range")]
    [InlineData("{{ \"maybe\" | parseBool }}", "error calling parseBool: parseBool: strconv.ParseBool: parsing \"maybe\": invalid syntax")]
    [InlineData("{{ \"x\" | parseFloat }}", "parseFloat: strconv.ParseFloat: parsing \"x\": invalid syntax")]
    [InlineData("{{ \"!!\" | base64Decode }}", "error calling base64Decode: base64Decode: illegal base64 data at input byte 0")]
    [InlineData("{{ indent -1 \"x\" }}", "indent value must be a positive integer")]
    [InlineData("{{ loop 1 2 3 }}", "loop: wrong number of arguments, expected 1 or 2, but got 3")]
    [InlineData("{{ \"x\" | regexMatch \"(\" }}", "error parsing regexp")]
    [InlineData("{{ service \"web\" }}", "service reads Consul's catalog, which needs the Consul store (--store consul")]
    [InlineData("{{ nodes }}", "nodes reads Consul's catalog")]
    public void Errors_BadInput_NameTheFunctionAndTheCause(string template, string expected) =>
        Assert.Contains(expected, RenderError(template), StringComparison.Ordinal);

    [Fact]
    public void Explode_KeyIsBothValueAndFolder_ErrorNamesBoth()
    {
        var keys = new InMemoryKeySource(new Dictionary<string, string> { ["/x/a"] = "1", ["/x/a/b"] = "2" });
        var t = GoTemplate.Parse("t", "{{ tree \"x\" | explode }}", new TemplateOptions { Functions = FunctionRegistry.CreateConsulTemplate(keys, new ConsulTemplateDependencies()) });
        var e = Assert.Throws<TemplateExecutionException>(() => t.RenderToString(null));
        Assert.Contains("explode: not a map: \"a/b\": \"a\" already has value \"1\"", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[[ key \"config/maxconns\" ]] {{ not an action }}", "5 {{ not an action }}")]
    [InlineData("a  [[- key \"config/maxconns\" -]]  b", "a5b")]
    [InlineData("x[[/* a comment */]]y[[- /* trimmed */ -]] z", "xyz")]
    [InlineData("[[ range ls \"service/redis\" ]][[ .Key ]],[[ end ]]", "maxconns,minconns,")]
    public void Delimiters_Custom_ActionsUseThemAndBracesAreText(string template, string expected) =>
        Assert.Equal(expected, Render(template, left: "[[", right: "]]"));

    [Fact]
    public void Delimiters_Custom_ParseErrorNamesTheLine()
    {
        var e = Assert.Throws<TemplateParseException>(() => Render("ok\n[[ if ]]", left: "[[", right: "]]"));
        Assert.Equal(2, e.Line);
        Assert.Contains("missing value for if", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Registry_ConsulTemplate_ItsLsAndSplitNotConfds()
    {
        var ct = FunctionRegistry.CreateConsulTemplate(Keys, new ConsulTemplateDependencies());
        Assert.True(ct.TryGet("ls", out var ls));
        Assert.StartsWith("ls(prefix string) ([]*dependency.KeyPair", ls.Signature, StringComparison.Ordinal);
        Assert.True(ct.TryGet("split", out var split));
        Assert.StartsWith("split(sep string, s string)", split.Signature, StringComparison.Ordinal);
        Assert.False(ct.TryGet("getv", out _));
        Assert.True(FunctionRegistry.CreateConfd(Keys, new NoDns()).TryGet("getv", out _));
    }

    private sealed class NoDns : ITemplateDnsResolver
    {
        public IReadOnlyList<string> LookupIP(string host) => [];

        public IReadOnlyList<SrvRecord> LookupSrv(string service, string proto, string name) => [];
    }
}
