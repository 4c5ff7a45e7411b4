/** Deployment must not go ahead; one line saying why and how to fix it. */
export class DeployRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DeployRefused';
  }
}
