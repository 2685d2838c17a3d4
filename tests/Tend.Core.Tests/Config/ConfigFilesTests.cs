using Tend.Core.Config;
using Xunit;

namespace Tend.Core.Tests.Config;

public sealed class ConfigFilesTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tend-config-files-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void ReadAllText_ReadableFile_ReturnsItsText()
    {
        string path = Path.Combine(_dir, "tend.toml");
        File.WriteAllText(path, "[store]\n");

        Assert.Equal("[store]\n", ConfigFiles.ReadAllText(path, "the configuration"));
    }

    [Fact]
    public void ReadAllText_MissingFile_ConfigErrorNamingFileAndWhat()
    {
        string path = Path.Combine(_dir, "missing.toml");

        var ex = Assert.Throws<ConfigException>(() => ConfigFiles.ReadAllText(path, "the configuration"));

        Assert.Equal(path, ex.File);
        Assert.StartsWith("cannot read the configuration: ", ex.Reason, StringComparison.Ordinal);
        Assert.IsAssignableFrom<IOException>(ex.InnerException);
    }

    [Fact]
    public void ReadAllText_DirectoryWithoutWhat_PlainCannotRead()
    {
        var ex = Assert.Throws<ConfigException>(() => ConfigFiles.ReadAllText(_dir));

        Assert.Equal(_dir, ex.File);
        Assert.StartsWith("cannot read: ", ex.Reason, StringComparison.Ordinal);
    }
}
