namespace Tend.Testing;

/// <summary>
/// Locates the repository's sibling <c>shared/</c> directory (conformance corpora, docs). The clone is
/// checked out as <c>&lt;X&gt;/main</c> (or elsewhere in CI) with <c>&lt;X&gt;/shared</c> beside it, so
/// the locator walks up from the test binaries until it finds a directory holding <c>shared/conformance</c>.
/// </summary>
public static class SharedFiles
{
    private static readonly Lazy<string> LazyRoot = new(FindRoot);

    /// <summary>Absolute path of the <c>shared</c> directory; throws with a clear message if absent.</summary>
    public static string Root => LazyRoot.Value;

    /// <summary>Absolute path of <paramref name="relative"/> inside <c>shared</c>, e.g. <c>conformance/toml-test</c>.</summary>
    public static string Path(string relative) =>
        System.IO.Path.GetFullPath(System.IO.Path.Combine(Root, relative));

    /// <summary>The toml-test corpus directory.</summary>
    public static string TomlTestCorpus => Path("conformance/toml-test");

    /// <summary>The <c>.toml</c> files toml-test lists for a TOML version (e.g. <c>1.0.0</c>), relative to the corpus.</summary>
    public static IReadOnlyList<string> TomlTestListed(string version = "1.0.0") =>
        File.ReadAllLines(System.IO.Path.Combine(TomlTestCorpus, "files-toml-" + version))
            .Select(l => l.Trim())
            .Where(l => l.EndsWith(".toml", StringComparison.Ordinal))
            .ToList();

    private static string FindRoot()
    {
        // test.sh exports TEND_SHARED; elsewhere, walk up from the test binaries.
        var fromEnv = Environment.GetEnvironmentVariable("TEND_SHARED");
        if (!string.IsNullOrEmpty(fromEnv) && Directory.Exists(System.IO.Path.Combine(fromEnv, "conformance", "toml-test")))
        {
            return System.IO.Path.GetFullPath(fromEnv);
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = System.IO.Path.Combine(dir.FullName, "shared");
            if (Directory.Exists(System.IO.Path.Combine(candidate, "conformance", "toml-test")))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException(
            $"Could not find 'shared/conformance/toml-test' in any parent of '{AppContext.BaseDirectory}'. "
            + "Check out the shared/ directory as a sibling of the repository clone.");
    }
}
