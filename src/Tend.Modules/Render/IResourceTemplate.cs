namespace Tend.Modules.Render;

/// <summary>A compiled resource template; the seam between the render pipeline and the template engine.</summary>
internal interface IResourceTemplate
{
    /// <summary>Renders <paramref name="input"/>; throws when the template fails (a missing key, a bad function call).</summary>
    string Render(RenderInput input);
}
