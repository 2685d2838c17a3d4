using Tend.Core.Config;
using Tend.Modules.Render.Config;

namespace Tend.Modules.Render;

/// <summary>Compiles resource templates and command templates; only the engine adapter implements it.</summary>
internal interface ITemplateCompiler
{
    /// <summary>Compiles <paramref name="text"/> (read from <paramref name="path"/>).</summary>
    /// <exception cref="ConfigException">The template does not parse; the position is in the message.</exception>
    IResourceTemplate Compile(string path, string text, RenderMissingKey missingKey);

    /// <summary>Compiles a resource's template with what its <see cref="RenderResourceOptions.Shape"/> calls for (consul-template's functions and delimiters, or confd's).</summary>
    /// <exception cref="ConfigException">The template does not parse; the position is in the message.</exception>
    IResourceTemplate CompileResource(RenderResourceOptions resource, string text) => Compile(resource.Source, text, resource.MissingKey);

    /// <summary>Compiles a check command template, where <c>{{.src}}</c> is the staged path (shell-quoted when expanded).</summary>
    /// <exception cref="ConfigException">The template does not parse or cannot be expanded; the message names <paramref name="origin"/>.</exception>
    ShellCommandTemplate CompileCheckCommand(string origin, string commandTemplate);
}
