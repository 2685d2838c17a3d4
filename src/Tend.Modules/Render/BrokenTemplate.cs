using Tend.Modules.Render.Config;

namespace Tend.Modules.Render;

/// <summary>
/// Stands in for a template that could not be read or parsed: every render of its resource fails with
/// the error that names the file and line, so the destination stays as it is while every other resource
/// renders, and onetime mode exits non-zero. A SIGHUP reads the template again.
/// </summary>
internal sealed class BrokenTemplate(string error) : IResourceTemplate
{
    /// <summary>Why the template is unusable: <c>file:line:column: what is wrong</c>.</summary>
    public string Error { get; } = error;

    public string Render(RenderInput input, RenderLimits limits, CancellationToken cancellationToken = default) =>
        throw new RenderFailedException(Error);
}
