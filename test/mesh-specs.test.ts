import * as fs from 'fs';
import * as path from 'path';
import { App, CfnOutput, Stack, Stage } from 'aws-cdk-lib';
import * as cloudmap from 'aws-cdk-lib/aws-servicediscovery';
import * as appmesh from '../src';
import { newStack } from './helpers';

function smallMesh(stack: Stack, meshName: string): appmesh.Mesh {
  const mesh = new appmesh.Mesh(stack, `mesh-${meshName}`, { meshName });
  mesh.addVirtualNode('node', {
    virtualNodeName: 'node',
    serviceDiscovery: appmesh.ServiceDiscovery.dns('node.local'),
    listeners: [appmesh.VirtualNodeListener.http()],
  });
  return mesh;
}

describe('MeshSpecs', () => {
  test('collect returns every document; forMesh returns one, also for an imported mesh', () => {
    const { app, stack } = newStack();
    const apps = smallMesh(stack, 'apps');
    smallMesh(stack, 'other');
    expect(appmesh.MeshSpecs.collect(app).map((d) => d.mesh.meshName)).toEqual(['apps', 'other']);
    expect(appmesh.MeshSpecs.forMesh(apps).virtualNodes.map((n) => n.virtualNodeName)).toEqual(['node']);
    const imported = appmesh.Mesh.fromMeshName(stack, 'imported', 'other');
    expect(appmesh.MeshSpecs.forMesh(imported).mesh.meshName).toBe('other');
    expect(() => appmesh.MeshSpecs.forMesh(appmesh.Mesh.fromMeshName(stack, 'none', 'none')))
      .toThrow(/\[Stack\/none\] no mesh resources are defined for mesh 'none'/);
  });

  test('collect throws with construct paths when something is invalid', () => {
    const { app, stack } = newStack();
    const mesh = smallMesh(stack, 'apps');
    new appmesh.VirtualService(stack, 'svc', {
      virtualServiceName: 'svc.local',
      virtualServiceProvider: appmesh.VirtualServiceProvider.virtualNode(
        appmesh.VirtualNode.fromVirtualNodeAttributes(stack, 'ghost', { mesh, virtualNodeName: 'ghost' })),
    });
    expect(() => appmesh.MeshSpecs.collect(app)).toThrow(/\[Stack\/svc\] virtualServices\["svc.local"\].*ghost/);
  });

  test('assembly file names: the mesh name when safe, else a sanitized name with a hash', () => {
    expect(appmesh.MeshSpecs.assemblyFileName('apps')).toBe('apps.mesh.json');
    const odd = appmesh.MeshSpecs.assemblyFileName('a/b c');
    expect(odd).toMatch(/^a_b_c-[0-9a-f]{12}\.mesh\.json$/);
    expect(appmesh.MeshSpecs.assemblyFileName('a/b c')).toBe(odd);
    expect(appmesh.MeshSpecs.assemblyFileName('a_b_c')).not.toBe(odd);
  });

  test('a nested Stage writes its own documents into its own assembly directory', () => {
    const app = new App();
    smallMesh(new Stack(app, 'Top'), 'top');
    const stage = new Stage(app, 'Prod');
    smallMesh(new Stack(stage, 'Inner'), 'inner');
    const assembly = app.synth();
    const files = fs.readdirSync(assembly.directory).filter((f) => f.endsWith('.mesh.json'));
    expect(files).toEqual(['top.mesh.json']);
    const stageDir = assembly.getNestedAssembly(stage.artifactId).directory;
    expect(fs.readdirSync(stageDir).filter((f) => f.endsWith('.mesh.json'))).toEqual(['inner.mesh.json']);
  });

  test('an in-process document embeds in a template with its deploy-time values resolved by CloudFormation', () => {
    const { app, stack } = newStack();
    const mesh = new appmesh.Mesh(stack, 'mesh', { meshName: 'apps' });
    const service = new cloudmap.HttpNamespace(stack, 'ns', { name: 'apps.local' }).createService('svc');
    mesh.addVirtualNode('node', {
      virtualNodeName: 'node',
      serviceDiscovery: appmesh.ServiceDiscovery.cloudMap(service),
      listeners: [appmesh.VirtualNodeListener.http()],
    });
    const document = appmesh.MeshSpecs.forMesh(mesh);
    new CfnOutput(stack, 'Spec', { value: stack.toJsonString(document) });
    const template = JSON.parse(fs.readFileSync(path.join(app.synth().directory, 'Stack.template.json'), 'utf-8'));
    const rendered = JSON.stringify(template.Outputs.Spec.Value);
    expect(rendered).toContain('Fn::Join');
    expect(rendered).toContain('Fn::GetAtt');
    expect(rendered).toContain('\\"namespaceName\\":\\"apps.local\\"');
  });

  test('Protocol is exported (Q5)', () => {
    expect([appmesh.Protocol.HTTP, appmesh.Protocol.HTTP2, appmesh.Protocol.GRPC, appmesh.Protocol.TCP]).toEqual(['http', 'http2', 'grpc', 'tcp']);
  });
});

test('two stages may each define a mesh of the same name (validation is per stage)', () => {
  const app = new App();
  for (const name of ['Dev', 'Prod']) {
    smallMesh(new Stack(new Stage(app, name), 'Mesh'), 'apps');
  }
  const assembly = app.synth();
  for (const name of ['Dev', 'Prod']) {
    const dir = assembly.getNestedAssembly(`assembly-${name}`).directory;
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'apps.mesh.json'), 'utf-8')).mesh.meshName).toBe('apps');
  }
});
