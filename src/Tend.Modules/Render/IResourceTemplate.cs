using Tend.Modules.Render.Config;

namespace Tend.Modules.Render;

/// <summary>A compiled resource template; the seam between the render pipeline and the template engine.</summary>
internal interface IResourceTemplate
{
    /// <summary>
    /// The key prefixes the template can read, when its text names them (consul-template's key functions
    /// with literal paths); null when they are not known before it renders.
    /// </summary>
    IReadOnlyList<string>? KeyPrefixes => null;

    /// <summary>Renders <paramref name="input"/> within <paramref name="limits"/>; throws when the template fails (a missing key, a bad function call, a limit).</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired.</exception>
    string Render(RenderInput input, RenderLimits limits, CancellationToken cancellationToken = default);

    /// <summary>Renders <paramref name="input"/> as UTF-8 (no BOM) onto the end of <paramref name="output"/>, within <paramref name="limits"/>.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired.</exception>
    void Render(RenderInput input, Stream output, RenderLimits limits, CancellationToken cancellationToken = default)
    {
        var bytes = new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(Render(input, limits, cancellationToken));
        output.Write(bytes);
    }
}
