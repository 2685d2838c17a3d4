namespace Tend.Modules.Render;

/// <summary>A compiled resource template; the seam between the render pipeline and the template engine.</summary>
internal interface IResourceTemplate
{
    /// <summary>Renders <paramref name="input"/>; throws when the template fails (a missing key, a bad function call).</summary>
    string Render(RenderInput input);

    /// <summary>Renders <paramref name="input"/> as UTF-8 (no BOM) onto the end of <paramref name="output"/>.</summary>
    void Render(RenderInput input, Stream output)
    {
        var bytes = new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(Render(input));
        output.Write(bytes);
    }
}
