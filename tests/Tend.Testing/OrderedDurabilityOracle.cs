using System.Diagnostics;

namespace Tend.Testing;

/// <summary>
/// Whether <c>durability = "ordered"</c> keeps its promise for a directory on this machine, worked out the way an
/// operator would check it by hand — <c>stat -f</c> for the file system's type, <c>stat</c> for its device, the device's
/// name from <c>/sys/dev/block</c>, a journal in <c>/proc/fs/jbd2</c>, the mount options in <c>/proc/self/mountinfo</c> —
/// without the code under test, so tests can compare its decision with this one.
/// </summary>
public static class OrderedDurabilityOracle
{
    /// <summary>True when the file system under <paramref name="directory"/> is ext4 with a journal or XFS, with barriers on.</summary>
    public static bool Holds(string directory, out string why)
    {
        var type = Run("stat", "-f", "-c", "%t", directory);
        var device = Run("stat", "-c", "%Hd:%Ld", directory);
        bool ext4 = type == "ef53";
        if (!ext4 && type != "58465342")
        {
            why = $"file system type 0x{type}";
            return false;
        }

        var link = new FileInfo("/sys/dev/block/" + device).LinkTarget;
        var name = link is null ? null : Path.GetFileName(link);
        if (ext4)
        {
            var journals = Directory.Exists("/proc/fs/jbd2") ? Directory.GetFileSystemEntries("/proc/fs/jbd2").Select(Path.GetFileName).ToList() : [];
            if (name is null || !journals.Exists(j => j!.StartsWith(name + "-", StringComparison.Ordinal) && j[(name.Length + 1)..].All(char.IsAsciiDigit)))
            {
                why = $"ext4 on {name ?? device}: no journal among [{string.Join(", ", journals)}]";
                return false;
            }
        }

        var mounts = File.ReadAllLines("/proc/self/mountinfo").Where(l => l.Split(' ')[2] == device).ToList();
        if (mounts.Count == 0 || mounts.Exists(l => l.Split(' ', ',').Any(o => o is "nobarrier" or "barrier=0")))
        {
            why = $"{device}: {(mounts.Count == 0 ? "not in mountinfo" : "mounted without barriers")}";
            return false;
        }

        why = $"{(ext4 ? "ext4" : "XFS")} on {name}, journal and barriers";
        return true;
    }

    private static string Run(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        using var p = Process.Start(info)!;
        var output = p.StandardOutput.ReadToEnd().Trim();
        p.WaitForExit();
        return p.ExitCode == 0 ? output : throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed with exit code {p.ExitCode}: {p.StandardError.ReadToEnd()}");
    }
}
