namespace Tend.Testing.Servers;

/// <summary>Finds the server binaries integration tests need; a missing one fails the test loudly, never skips it.</summary>
public static class RequiredBinary
{
    /// <summary>The first existing path among <paramref name="candidates"/> (absolute paths or names on PATH).</summary>
    /// <exception cref="InvalidOperationException">None exists; the message says which Debian package to install.</exception>
    public static string Find(string debianPackage, params string[] candidates)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        foreach (var c in candidates)
        {
            if (Path.IsPathRooted(c))
            {
                if (File.Exists(c))
                {
                    return c;
                }

                continue;
            }

            foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries))
            {
                var full = Path.Combine(dir, c);
                if (File.Exists(full))
                {
                    return full;
                }
            }
        }

        throw new InvalidOperationException(
            $"Integration test needs {string.Join(" or ", candidates)} from the Debian package '{debianPackage}', which is not installed. Run ./test.sh (it installs it) or: apt-get install {debianPackage}");
    }
}
